"""HTTP security: headers, caching, request-body limits, the site's public address and the
host names it answers to (GB/T 22239-2019 level 2, OWASP ASVS L2).

A handful of static headers and two request hooks: written here rather than pulling in
Flask-Talisman, whose HTTPS redirect and nonce machinery this service does not use.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, abort, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from field_app.config import DEFAULT_SITE_URL

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(self), camera=(), microphone=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}

LOOPBACK = ("127.0.0.1", "localhost")

KB = 1024
MB = 1024 * KB
# Request bodies by endpoint. Everything else is a form of a few fields (or no body at all)
# and gets FORM_LIMIT; ``None`` means the global MAX_CONTENT_LENGTH.
BODY_LIMITS: dict[str, int | None] = {
    "registrations.import_attrition": None,  # a county's social-insurance extract
    "jobs.upload": None,  # a data set's CSV files in one ZIP
    "channels.channel": None,  # a partner department's CSV or XLSX file
    "api_v1.upload_dataset": None,  # the same, from a partner system
    # A report PDF checked against its number is a few hundred kilobytes; anything many
    # times larger cannot be one.
    "reports.verify": 8 * MB,
    # 100 changes per request (static/survey/store.js), each well under 2 KB.
    "api.survey_sync": 1 * MB,
    # The scan of a signed and sealed paper (SCAN_MAX_BYTES, 10 MB by default) and its form.
    "reporting.upload_scan": 11 * MB,
}
FORM_LIMIT = 256 * KB

# Responses that say themselves how they may be cached. The village roster is revalidated
# by ETag (a repeat visit must stay under 20 KB) and is kept in the phone's IndexedDB by
# design, so the HTTP cache adds nothing to what the device already holds; the service
# worker's script holds no personal data and is revalidated on every update check.
OWN_CACHE_POLICY = {"static", "api.survey_roster", "survey.worker"}


def body_limit(endpoint: str | None) -> int | None:
    """The largest body ``endpoint`` accepts, in bytes (``None``: no smaller limit than
    MAX_CONTENT_LENGTH)."""
    overall = current_app.config.get("MAX_CONTENT_LENGTH")
    limit = BODY_LIMITS.get(endpoint, FORM_LIMIT) if endpoint else FORM_LIMIT
    if limit is None or overall is None:
        return limit if limit is not None else overall
    return min(limit, overall)


def site_url() -> str:
    """The site's public address without a trailing slash, from configuration only."""
    return current_app.config["SITE_URL"]


def _configure_site(app: Flask) -> None:
    """Normalise SITE_URL and, outside debugging and tests, answer only its host name (and
    TRUSTED_HOSTS's extra names): a forged Host header then gets 400 instead of steering
    anything the application builds from it."""
    configured = app.config.get("SITE_URL")
    url = str(configured or DEFAULT_SITE_URL).strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path \
            or parts.query or parts.fragment:
        raise RuntimeError(f"FIELD_APP_SITE_URL must be http(s)://host[:port], not {url!r}")
    app.config["SITE_URL"] = url
    extra = app.config.get("TRUSTED_HOSTS")
    if isinstance(extra, str):  # FIELD_APP_TRUSTED_HOSTS="a.example,b.example"
        extra = [name.strip() for name in extra.split(",") if name.strip()]
    if app.debug or app.testing:
        app.config["TRUSTED_HOSTS"] = extra or None
        return
    if not configured:
        app.logger.warning("FIELD_APP_SITE_URL is not set: reports print %s as their "
                           "address and only 127.0.0.1 and localhost are served", url)
    hosts = [parts.hostname, *(extra or [])]
    if parts.hostname in LOOPBACK:  # the demo, opened as either name
        hosts.extend(LOOPBACK)
    app.config["TRUSTED_HOSTS"] = list(dict.fromkeys(hosts))


class RecordId(IntegerConverter):
    """``<int:…>`` in every route: ids the databases can hold (PostgreSQL's integer, the
    smaller). A larger number names no record, so it matches no route (404) instead of
    overflowing the driver (SQLite: 500 beyond 2^63)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = 2**31 - 1, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app: Flask) -> None:
    """Call before the blueprints are registered (their rules take the ``int`` converter)."""
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.url_map.converters["int"] = RecordId
    _configure_site(app)
    proxies = int(app.config.get("PROXIES") or 0)
    if proxies:
        # The Host stays the request's own: it is checked against TRUSTED_HOSTS.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    def limit_body():
        """Refuse a request for a host name the site does not answer to, or with an oversized
        body (by its declared length), before any other hook runs or reads the body; cap
        what a chunked body may stream to the same size."""
        if isinstance(request.routing_exception, SecurityError):
            raise request.routing_exception  # no URL can be built for an untrusted host
        if request.is_json and not request.path.startswith("/api/"):
            # Pages take forms; Flask-WTF would read a JSON body as the form and fail on
            # anything but an object of strings.
            abort(415, description=_("此处只接受表单提交。"))
        limit = body_limit(request.endpoint)
        request.max_content_length = limit
        if limit is not None and (request.content_length or 0) > limit:
            abort(413)

    # First of all hooks: CSRFProtect's own before_request parses the form.
    app.before_request_funcs.setdefault(None, []).insert(0, limit_body)

    @app.after_request
    def add_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security",
                                        "max-age=31536000; includeSubDomains")
        # Nothing dynamic is kept by browsers or proxies: pages and downloads carry names
        # and numbers, and a shared computer's back button must not show them after
        # sign-out. Versioned static files stay cacheable for a year (core.assets).
        if request.endpoint not in OWN_CACHE_POLICY:
            response.headers["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
        return response
