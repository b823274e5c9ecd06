"""Domain errors and their one mapping to HTTP, answered as HTML or JSON."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask.globals import request_ctx
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge


class DomainError(Exception):
    status = 400
    code = "domain_error"

    def __init__(self, message: str, errors: dict | list | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"


class NotAllowed(DomainError):
    status = 403
    code = "not_allowed"


NOT_FOUND = _l("未找到")


class OutOfScope(DomainError):
    """Outside the user's jurisdiction: answered as 404 so nothing about it leaks."""

    status = 404
    code = "not_found"

    def __init__(self, message=NOT_FOUND, errors: dict | list | None = None) -> None:
        super().__init__(message, errors)


class Unauthenticated(DomainError):
    """A refused sign-in step: wrong credentials (401) or too many attempts (429)."""

    status = 401
    code = "unauthenticated"

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.status = status


class InvalidTransition(DomainError):
    status = 409
    code = "invalid_transition"


class Conflict(DomainError):
    """The record changed since the version the change was made on (an offline edit that
    crossed someone else's)."""

    status = 409
    code = "conflict"


def _wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def _respond(status: int, code: str, message: str, errors=None):
    # A request for a host name the site does not serve has no URL adapter: the page,
    # whose links are built with url_for, cannot be rendered for it.
    if _wants_json() or request_ctx.url_adapter is None:
        return jsonify(code=code, status=status, message=message, errors=errors or {}), status
    return render_template("error.html", status=status, message=message), status


def _size(limit: int | None) -> str:
    if limit is None:
        return "?"
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    return f"{limit / 1024:g} KB"


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(RequestEntityTooLarge)
    def handle_too_large(error: RequestEntityTooLarge):
        return _respond(413, "request_entity_too_large",
                        _("提交的内容过大（上限 %(limit)s）。", limit=_size(request.max_content_length)))

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        return _respond(error.status, error.code, error.message, error.errors)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        return _respond(error.code or 500, (error.name or "error").lower().replace(" ", "_"),
                        error.description or "")
