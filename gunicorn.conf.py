"""gunicorn settings: `gunicorn wsgi:app` picks this file up from the project folder."""

import gc

bind = "127.0.0.1:8000"
workers = 4
# Load the app once in the master; workers share its memory pages after fork.
preload_app = True


def post_fork(server, worker):
    # Objects loaded before the fork never become garbage: keep the collector off them,
    # which also keeps their memory pages shared.
    gc.freeze()
