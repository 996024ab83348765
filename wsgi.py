"""Entry point for `gunicorn wsgi:app` and `flask --app wsgi ...`."""

from lms import create_app
from lms.certificates import pdf  # noqa: F401  (see below)

app = create_app()
# gunicorn loads this module once in its master (preload_app) and forks the workers from
# it: the certificate renderer (fpdf2, fontTools, about 0.5 s to import) is then shared by
# every worker instead of being each worker's first certificate download's wait.
