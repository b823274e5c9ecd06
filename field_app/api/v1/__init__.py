"""The REST API v1 (flask-smorest on marshmallow schemas): the resources, the OpenAPI
document at /api/v1/openapi.json, the readable page at /api/v1/docs (Swagger UI from
static/apidocs, no CDN) and the phone's survey API described in the same document."""
from __future__ import annotations

from flask import Blueprint, Flask, render_template, url_for

from field_app.api.v1 import jobs, schemas, survey_doc  # noqa: F401 (jobs: routes on blp)
from field_app.api.v1.resources import blp
from field_app.extensions import api, csrf

page = Blueprint("api_v1_page", __name__, url_prefix="/api/v1")

BEARER = {"type": "http", "scheme": "bearer",
          "description": "合作系统的令牌（接口客户端页面登记时显示一次）"}
SESSION = {"type": "apiKey", "in": "cookie", "name": "session",
           "description": "手机入户调查：登录后的会话（同步另需 X-CSRFToken 请求头）"}


@page.get("/docs")
def docs():
    return render_template("partners/api_docs.html", spec_url=url_for("api-docs.openapi_json"))


def init_app(app: Flask) -> None:
    api.ERROR_SCHEMA = schemas.ErrorSchema
    api.init_app(app, spec_kwargs={"info": {
        "description": "兴安就业采集的接口。每次调用以 Authorization: Bearer <令牌> 认证；"
                       "客户端只能读写其所属区划及下级，且只能使用登记时授予的权限范围。"
                       "所有错误的形状相同：{code, status, message, errors}。"}})
    api.spec.components.security_scheme("bearerAuth", BEARER)
    api.spec.components.security_scheme("surveySession", SESSION)
    api.spec.options["security"] = [{"bearerAuth": []}]
    csrf.exempt(blp)  # cookies authenticate nothing here: every call carries its token
    api.register_blueprint(blp)
    # Each operation carries its own tag (区划, 指标, ...): the blueprint's tag would be empty.
    api.spec._tags[:] = [tag for tag in api.spec._tags if tag["name"] != blp.name]
    app.register_blueprint(page)
    survey_doc.describe(api.spec, app)
