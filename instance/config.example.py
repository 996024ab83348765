# Copy to instance/config.py and adjust. Environment variables override these.
# DATABASE_URL = "postgresql+psycopg://lms@127.0.0.1:5432/lms"
# RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0"   # shared limits for several workers
# BABEL_DEFAULT_LOCALE = "ru"
# MAIL_SERVER = "smtp.example.org"
# MAIL_FROM = "learning@example.org"
