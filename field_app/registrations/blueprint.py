"""The registration desk blueprint; its routes are in ``views`` and ``list_views``."""
from flask import Blueprint

bp = Blueprint("registrations", __name__, url_prefix="/desk")
