"""The phone's survey API (``api/survey.py``, docs/survey-sync.md) in the v1 document: its
routes stay as they are, on the signed-in session; only their description is added here."""
from __future__ import annotations

from apispec import APISpec
from flask import Flask

from field_app.surveys.schemas import BatchSchema

ERROR = {"$ref": "#/components/responses/DEFAULT_ERROR"}
SESSION = [{"surveySession": []}]
TAGS = ["手机入户调查"]


def _json(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"type": "object"}}}}


def describe(spec: APISpec, app: Flask) -> None:
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    spec.tag({"name": TAGS[0], "description": "村级采集员手机的离线同步接口（登录会话，非令牌）"})
    spec.path(rule=rules["api.survey_session"], operations={"get": {
        "tags": TAGS, "security": SESSION, "summary": "会话：CSRF 令牌、今天、本村、开放的调查轮次",
        "responses": {"200": _json("会话信息"), "default": ERROR}}})
    spec.path(rule=rules["api.survey_roster"], operations={"get": {
        "tags": TAGS, "security": SESSION, "summary": "本村花名册（ETag 条件请求）",
        "responses": {"200": _json("花名册"), "304": {"description": "未变化"},
                      "default": ERROR}}})
    spec.path(rule=rules["api.survey_person"], operations={"get": {
        "tags": TAGS, "security": SESSION, "summary": "信息共享：身份证号是否已在系统中（限频、审计）",
        "parameters": [{"name": "id_number", "in": "query", "required": True,
                        "schema": {"type": "string"}}],
        "responses": {"200": _json("是否已知、可否加入本户、脱敏姓名"), "default": ERROR}}})
    spec.path(rule=rules["api.survey_sync"], operations={"post": {
        "tags": TAGS, "security": SESSION, "summary": "上传至多 100 条离线修改，逐条返回结果",
        "parameters": [{"name": "X-CSRFToken", "in": "header", "required": True,
                        "schema": {"type": "string"}}],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": BatchSchema}}},
        "responses": {"200": _json("每个 UUID 的结果"), "default": ERROR}}})
