"""Bearer-token authentication, per-client rate limits, the audit row of every call and the
one error shape of the API v1.

A call carries ``Authorization: Bearer <token>``; the token's client (``partners.models``)
is the principal: it goes through the same scoped loaders and ``can(capability, at=code)``
checks as a signed-in user. Cookies authenticate nothing here, which is why the blueprint
needs no CSRF token. Errors, the API's own and those of the operations it calls, are
answered as ``{code, status, message, errors}`` like every other JSON error of the site.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from limits import parse_many
from werkzeug.exceptions import HTTPException

from field_app.audit.actor import Actor, set_actor
from field_app.audit.operations import record as audit
from field_app.core.errors import DomainError, NotAllowed
from field_app.core.transaction import keep_writes_on_failure
from field_app.extensions import db, limiter
from field_app.partners.models import ApiClient
from field_app.partners.operations import note_use
from field_app.partners.queries import client_for_token

_CLIENT = "api_v1_client"
# Marshmallow's own messages, said in Chinese; anything else is passed on as written.
FIELD_MESSAGES = {
    "Missing data for required field.": _l("必填"),
    "Field may not be null.": _l("不能为空"),
    "Not a valid string.": _l("应为文本"),
    "Not a valid integer.": _l("应为整数"),
    "Not a valid boolean.": _l("应为 true 或 false"),
    "Not a valid date.": _l("日期格式应为 YYYY-MM-DD"),
    "Unknown field.": _l("未知字段"),
    "Invalid input type.": _l("类型不正确"),
    "Invalid value.": _l("取值不正确"),
}


def current_client() -> ApiClient | None:
    """The usable client named by this request's bearer token (once per request)."""
    # Kept on the request itself, not on ``g``: an application context may outlive it.
    if _CLIENT not in request.environ:
        header = request.headers.get("Authorization", "")
        scheme, _sep, token = header.partition(" ")
        request.environ[_CLIENT] = (client_for_token(db.session, token.strip())
                                    if scheme.lower() == "bearer" and token.strip() else None)
    return request.environ[_CLIENT]


def _counting() -> bool:
    return limiter.initialized and limiter.enabled


def _take(limits: str, *key: str) -> bool:
    """Count one call against ``limits``; False when one of them is used up."""
    if not _counting():
        return True
    return all([limiter.limiter.hit(item, *key) for item in parse_many(limits)])


class TooManyCalls(DomainError):
    status = 429
    code = "too_many_requests"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


def authenticate() -> None:
    """``before_request`` of the API v1: the client, its rate, the audit actor."""
    client = current_client()
    ip = request.remote_addr
    if client is None:
        # Guessing tokens is throttled per address; the refusal is the same for a missing,
        # unknown, expired or revoked token.
        if not _take(current_app.config["API_REFUSED_RATE"], "api-v1-refused", ip or "-"):
            raise TooManyCalls(_("调用过于频繁，请稍后再试"))
        raise Unauthorized(_("需要有效的接口令牌（Authorization: Bearer …）：令牌缺失、无效、已过期或已吊销"))
    set_actor(db.session, Actor(None, client.username, ip, client.division_code))
    if not _take(f"{client.rate_per_minute} per minute", "api-v1-client", str(client.id)):
        raise TooManyCalls(_("调用过于频繁：该客户端每分钟最多 %(n)s 次", n=client.rate_per_minute))
    note_use(client)


def requires(scope: str) -> Callable:
    """View decorator: the client's scopes include ``scope`` (403 otherwise: the client knows
    what it was given, so nothing leaks by saying so)."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            client = current_client()
            if client is None or not client.has_scope(scope):
                raise NotAllowed(_("该客户端没有“%(scope)s”权限范围", scope=scope))
            return view(*args, **kwargs)

        return wrapped

    return decorate


def limit_person_checks() -> None:
    """The person check's own limit per client, below the client's overall rate."""
    client = current_client()
    if not _take(current_app.config["API_PERSON_CHECK_RATE"], "api-v1-person", str(client.id)):
        raise TooManyCalls(_("人员核验过于频繁，请稍后再试"))


def record_call(response):
    """``after_request``: one audit row per call, naming the client. A refused call's other
    writes are rolled back first; its audit row is kept."""
    client = request.environ.get(_CLIENT)
    status = response.status_code
    if client is None and status == 429:
        return response  # a throttled guesser must not fill the log either
    if status >= 400:
        db.session.rollback()
        keep_writes_on_failure()
    audit(db.session, "api_call" if client is not None else "api_refused",
          actor=None if client is not None else Actor(None, "anonymous", request.remote_addr),
          target_type="api_clients" if client is not None else None,
          target_id=client.id if client is not None else None,
          division=client.division_code if client is not None else None,
          note=f"{request.method} {request.path} {status}"[:200])
    return response


def _field_messages(errors):
    if isinstance(errors, dict):
        return {str(key): _field_messages(value) for key, value in errors.items()}
    if isinstance(errors, (list, tuple)):
        return [_field_messages(value) for value in errors]
    text = str(errors)
    if text in FIELD_MESSAGES:
        return str(FIELD_MESSAGES[text])
    if text.startswith("Must be one of:"):
        return _("应为下列之一：%(values)s", values=text.removeprefix("Must be one of:").strip())
    return text


HTTP_MESSAGES = {
    400: _l("请求格式不正确"),
    401: _l("需要有效的接口令牌"),
    403: _l("没有权限"),
    404: _l("未找到"),
    405: _l("不支持该请求方法"),
    413: _l("提交的内容过大"),
    415: _l("请以 JSON 提交"),
    422: _l("请求参数有误"),
    429: _l("调用过于频繁，请稍后再试"),
}


def error_response(error: Exception):
    """The one error shape: ``{code, status, message, errors}``."""
    if isinstance(error, DomainError):
        status, code = error.status, error.code
        message, errors = str(error.message), error.errors
    elif isinstance(error, HTTPException):
        status = error.code or 500
        code = (error.name or "error").lower().replace(" ", "_")
        data = getattr(error, "data", None) or {}
        errors = data.get("errors", data.get("messages"))
        message = str(HTTP_MESSAGES[status]) if status in HTTP_MESSAGES else error.description
    else:  # pragma: no cover - Flask routes only these two here
        raise error
    if isinstance(errors, dict) and set(errors) <= {"json", "query", "path", "headers", "form", "files"}:
        merged: dict = {}
        for part in errors.values():  # webargs files errors by location
            if isinstance(part, dict):
                merged.update(part)
        errors = merged
    body = jsonify(code=code, status=status, message=message,
                   errors=_field_messages(errors) if errors else {})
    headers = {"WWW-Authenticate": 'Bearer realm="field_app"'} if status == 401 else {}
    return body, status, headers
