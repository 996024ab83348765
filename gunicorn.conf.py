"""gunicorn settings: `gunicorn wsgi:app` picks this file up from the project folder.

Behind nginx (deploy/nginx/lms.conf) on the same machine: gunicorn listens on
127.0.0.1 only. LMS_BIND and WEB_CONCURRENCY change the address and the worker count.
"""

import gc
import os

bind = os.environ.get("LMS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
# Load the app once in the master; workers share its memory pages after fork.
# (It also compiles missing catalogues once, before any worker serves a page.)
preload_app = True
# nginx keeps the access log (tokens masked); gunicorn's own messages go to stderr (journald).
accesslog = None
errorlog = "-"
# A zip import can take a while; nginx waits 120 s (proxy_read_timeout).
timeout = 120
# No runtime control socket: systemd manages the server, and its default place
# ($HOME/.gunicorn) is read-only under the unit's ProtectSystem and shared between
# the several servers a test run starts.
control_socket_disable = True


def post_fork(server, worker):
    # Objects loaded before the fork never become garbage: keep the collector off them,
    # which also keeps their memory pages shared.
    gc.freeze()
