"""The JSON API blueprint; its routes are in ``views`` and ``survey``."""
from flask import Blueprint

from field_app.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)
