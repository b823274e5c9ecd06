"""Configuration: defaults in code, overrides from the environment.

``DATABASE_URL`` selects the database; ``FIELD_APP_<KEY>`` overrides any key below.
"""
from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any

import orjson

# The form block of the printed forms until the statistics office supplies its own (表号,
# 制定机关, 批准文号, 有效期至 of each form): visibly placeholders, never invented numbers.
REPORT_FORM_PLACEHOLDERS = {
    "number": "表号待定（请在配置中填写）",
    "authority": "制定机关待定（请在配置中填写）",
    "approval": "批准文号待定（请在配置中填写）",
    "valid_until": "有效期待定（请在配置中填写）",
}

DEFAULTS: dict[str, Any] = {
    "SQLALCHEMY_DATABASE_URI": None,  # default: SQLite file in the instance folder
    "SECRET_KEY": None,
    "BABEL_DEFAULT_LOCALE": "zh",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "LANGUAGES": ["zh", "en"],
    "WTF_CSRF_TIME_LIMIT": None,
    # Working-age policy: "notice-2019" (内人社办发〔2019〕112号) or "reform-2025" (the
    # retirement-age reform by birth month); see field_app.indicators.policy.
    "POLICY": "notice-2019",
    # Bounds of 内人社办发〔2019〕112号; see field_app.indicators.policy.Policy.
    "POLICY_MIN_AGE": 16,
    "POLICY_MALE_MAX_AGE": 60,
    "POLICY_FEMALE_MAX_AGE": 55,
    "POLICY_NEW_GENERATION_BORN_FROM": "1980-01-01",
    "POLICY_STABLE_DAYS": 180,
    # The households the rural figures count (FIELD_APP_SURVEY_BASIS): "synced", every
    # household the phones have synced (the spec), or "approved", only those the township
    # has approved in review; see field_app.indicators.policy.
    "SURVEY_BASIS": "synced",
    # The report calendar (逐级上报): a period's report is due this many days after the
    # period ends, by the level that submits it (township to county, county to league, league
    # to region), for every monthly, quarterly and annual period.
    "REPORT_DUE_DAYS": {"township": 3, "county": 5, "league": 10},
    "REPORT_PERIOD_KINDS": ["month", "quarter", "year"],
    # The quarterly analysis (季分析): due this many days after the quarter, by the level
    # that writes it (county to league, league to region, region upward; the notice).
    "ANALYSIS_DUE_DAYS": {"county": 7, "league": 10, "region": 15},
    # The form block of each printed form (FIELD_APP_REPORT_FORMS, JSON by report kind:
    # {"rural": {"number": "…", "authority": "…", "approval": "…", "valid_until": "…"},
    # "urban": {…}, "roster": {…}}); a field not given prints its placeholder.
    "REPORT_FORMS": {kind: dict(REPORT_FORM_PLACEHOLDERS) for kind in ("rural", "urban", "roster")},
    # The largest scan of a signed and sealed paper (PDF, JPEG or PNG).
    "SCAN_MAX_BYTES": 10 * 1024 * 1024,
    # The league whose figures the home page opens on before sign-in context exists.
    "HOME_DIVISION": "152200000000",
    # Account lifecycle (内人社办发〔2019〕112号 一(五)) and sign-in security.
    "ACCOUNT_LOCK_AFTER_DAYS": 30,
    "ACCOUNT_CANCEL_AFTER_DAYS": 730,
    # Sign-in throttling (limits syntax, ";" between limits), counted on failed passwords,
    # second-factor codes and current passwords: per client address, per username from one
    # address, and per username from all addresses. No account is ever locked by failures.
    "LOGIN_LIMIT_PER_ADDRESS": "10 per minute;50 per hour",
    "LOGIN_LIMIT_PER_USERNAME_AND_ADDRESS": "5 per 15 minutes",
    "LOGIN_LIMIT_PER_USERNAME": "50 per hour",
    "SESSION_IDLE_MINUTES": 30,
    # However active, a session ends this long after its sign-in.
    "SESSION_ABSOLUTE_HOURS": 12,
    "PASSWORD_HASH_METHOD": "scrypt:32768:8:1",
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # The public address of the site ("https://jiuye.example.gov.cn"): the verify link and QR
    # code printed on reports, never the request's Host header. Unset: http://127.0.0.1:5000
    # (the demo), with a warning outside debugging. Its host name, with TRUSTED_HOSTS's extra
    # names, is the only Host a production server answers.
    "SITE_URL": None,
    "TRUSTED_HOSTS": None,
    # The largest request body at all (the social-insurance upload); each route has a
    # smaller one in core.security.BODY_LIMITS, checked before anything reads the body.
    "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
    # Reverse proxies in front of the server (1 behind one nginx): their X-Forwarded-For and
    # X-Forwarded-Proto are believed, so that throttling counts clients, not the proxy.
    "PROXIES": 0,
    # Flask-Limiter's store: per process in memory by default (one server process, as the
    # demo runs); "redis://host:6379" shares the counts between gunicorn workers.
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_ENABLED": True,
    # The REST API v1 (field_app.api.v1, flask-smorest): its document at /api/v1/openapi.json.
    # Each client's own rate is set when it is registered; person checks have a lower one,
    # and refused calls (no valid token) are limited per address.
    "API_TITLE": "兴安就业采集 API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_PERSON_CHECK_RATE": "30 per minute",
    "API_REFUSED_RATE": "20 per minute",
    "API_EXPORT_MAX_ROWS": 50000,
    # The job queue (docs/jobs.md): unset, a SQLite file in the instance folder that
    # `flask --app wsgi jobs-worker` consumes (no server to run); "sqlite:////path/queue.db"
    # for another file; "redis://host:6379/1" for Redis (pip install redis). JOBS_IMMEDIATE
    # runs each job in the request that starts it (unset: only in tests).
    "JOBS_QUEUE_URL": None,
    "JOBS_IMMEDIATE": None,
    # A failed channel upload keeps its bad rows (ID numbers in full) for the uploader to
    # download for this many days; the worker's hourly upkeep then drops the file.
    "JOBS_KEEP_FILES_DAYS": 7,
    # Where a snapshot made from the web is written (unset: the instance folder's snapshots/).
    "SNAPSHOTS_DIR": None,
    # Quality rules (field_app.quality.rules, docs/quality.md): a registration entered more
    # than this many days after the employment began is late (补录); a household further
    # from its village's median point than median + factor x MAD of the village's distances
    # (and than the floor in metres) is an outlier, tested in villages of at least so many
    # located households; a division's last week of a period with at least SURGE_MIN new
    # employments and more than SURGE_FACTOR times its weekly mean over the weeks before;
    # an employer with at least EMPLOYER_MONTH_MIN hires in a month and more than
    # EMPLOYER_MONTH_FACTOR times its monthly mean over the twelve months before.
    "QUALITY_LATE_ENTRY_DAYS": 60,
    "QUALITY_LOCATION_MAD_FACTOR": 5.0,
    "QUALITY_LOCATION_MIN_METRES": 2000,
    "QUALITY_LOCATION_MIN_HOUSEHOLDS": 5,
    "QUALITY_SURGE_FACTOR": 3.0,
    "QUALITY_SURGE_MIN": 10,
    "QUALITY_SURGE_BASELINE_WEEKS": 12,
    "QUALITY_EMPLOYER_MONTH_FACTOR": 3.0,
    "QUALITY_EMPLOYER_MONTH_MIN": 20,
    # The scheduled pre-report scan runs this many days before each due date.
    "QUALITY_PRE_REPORT_DAYS": 7,
}

_FLASK_KEYS = {"TESTING", "DEBUG", "SERVER_NAME", "PREFERRED_URL_SCHEME", "SESSION_COOKIE_SECURE",
               "SQLALCHEMY_ENGINE_OPTIONS", "SQLALCHEMY_ECHO", "WTF_CSRF_ENABLED"}


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def _parse(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


DEFAULT_SITE_URL = "http://127.0.0.1:5000"


def load(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    config = dict(DEFAULTS)
    for key in DEFAULTS:
        env = os.environ.get(f"FIELD_APP_{key}")
        if env is not None:
            config[key] = _parse(env)
    if os.environ.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if os.environ.get("SECRET_KEY") and not config["SECRET_KEY"]:
        config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    if overrides:
        unknown = set(overrides) - set(DEFAULTS) - _FLASK_KEYS
        if unknown:
            warnings.warn(f"unknown configuration keys: {sorted(unknown)}", stacklevel=3)
        config.update(overrides)
    # JSON columns (the audit log's before/after values) are serialised with orjson: about
    # five times faster than the json module on the million-row import path, and it
    # writes dates and enum values itself.
    options = config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    options.setdefault("json_serializer", _json_dumps)
    options.setdefault("json_deserializer", orjson.loads)
    if str(config["SQLALCHEMY_DATABASE_URI"] or "").startswith("postgresql"):
        # PostgreSQL's JIT compiles the indicator statement on every run (0.5-0.9 s of a
        # 2 s league computation at a million persons) and never pays that back for
        # statements of this size; turned off per connection, not per statement, so the
        # engine stays one statement per computation.
        options.setdefault("connect_args", {}).setdefault("options", "-c jit=off")
    if not config["SQLALCHEMY_DATABASE_URI"]:
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(instance_path) / 'field_app.db'}"
    return config
