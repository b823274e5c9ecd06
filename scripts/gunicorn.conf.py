"""gunicorn settings of scripts/serve-production; BIND, WORKERS, TIMEOUT and
FORWARDED_ALLOW_IPS in the environment override the defaults."""
import os

import gunicorn.http.wsgi

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Synchronous workers, one request each: a league report keeps one busy for seconds, the
# others go on answering. About two per core.
workers = int(os.environ.get("WORKERS", "4"))
timeout = int(os.environ.get("TIMEOUT", "120"))
# Only these addresses (the reverse proxy) may say by X-Forwarded-Proto that a request came
# over HTTPS; the application believes X-Forwarded-For only with FIELD_APP_PROXIES set.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
# gunicorn names itself in a Server header of its own; the application's name says less.
gunicorn.http.wsgi.SERVER = "field_app"
