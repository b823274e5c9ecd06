"""Flask extensions, created unbound and attached in ``create_app``."""
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_smorest import Api
from flask_wtf import CSRFProtect

from field_app.core.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
compress = Compress()  # gzip/brotli: the survey page must stay under 100 KB on the wire
# Rate limits (sign-in throttling, person look-ups, partner calls): in memory by default,
# Redis or another store when RATELIMIT_STORAGE_URI is set. No default limit: each limited
# route states its own.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
api = Api()  # the REST API v1 and its OpenAPI document (field_app.api.v1)
