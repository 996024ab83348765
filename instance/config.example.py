# Copy to instance/config.py and adjust. Environment variables override these
# (under systemd: /etc/lms/lms.env, see deploy/lms.env.example and docs/deploy.md).
# PUBLIC_URL = "https://learn.example.kz"   # every link in mails, certificates and credentials
# PROXY_FIX_HOPS = 1                        # nginx in front: believe its X-Forwarded-For/-Proto
# DATABASE_URL = "postgresql+psycopg://lms@127.0.0.1:5432/lms"
# THROTTLE_STORAGE_URI = "redis://127.0.0.1:6379/0"   # login limits in Redis (default: the database)
# RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0"  # the other per-route limits, shared by workers
# BABEL_DEFAULT_LOCALE = "ru"
# MAIL_SERVER = "smtp.example.org"
# MAIL_FROM = "learning@example.org"
# REQUIRE_2FA_FOR_STAFF = False             # a demo only: staff without two-factor login
