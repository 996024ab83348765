"""The app as served in benchmarks, plus a trivial 10 KB route to compare against.

The extra route lives only here, never in the production app.
"""

from lms import create_app
from lms.certificates import pdf  # noqa: F401  (imported before the fork, as wsgi.py does)

app = create_app()
TEN_KB = "<!doctype html><title>t</title>" + "<p>" + "x" * 10_200 + "</p>"


@app.route("/_bench/trivial")
def trivial():
    return TEN_KB
