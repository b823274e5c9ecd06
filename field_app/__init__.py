"""兴安就业采集: the Flask application factory."""
from __future__ import annotations

import os
from typing import Any

from flask import Flask


def create_app(config_overrides: dict[str, Any] | None = None) -> Flask:
    from field_app import config as config_module
    from field_app.indicators.policy import policy_from

    app = Flask(__name__, instance_relative_config=True, static_folder="../static",
                template_folder="../templates")
    app.config.update(config_module.load(app.instance_path, config_overrides))
    if not app.config["SECRET_KEY"]:
        if not (app.debug or app.testing):
            raise RuntimeError(
                "SECRET_KEY is not set: export SECRET_KEY (or FIELD_APP_SECRET_KEY) before "
                "serving; only debug and test runs get a throwaway key."
            )
        app.config["SECRET_KEY"] = "development-only-not-secret"
    app.extensions["field_app.policy"] = policy_from(app.config)
    from field_app.accounts.policy import AccountPolicy

    app.extensions["field_app.account_policy"] = AccountPolicy.from_config(app.config)
    _register_extensions(app)
    _register_blueprints(app)
    _register_error_handlers(app)
    _register_commands(app)
    return app


def _register_extensions(app: Flask) -> None:
    from field_app.core.database import configure_engine
    from field_app.core import i18n
    from field_app import models  # noqa: F401  (every table on the metadata)
    from field_app.audit.operations import install as install_audit
    from field_app.core import security
    from field_app.extensions import babel, compress, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    install_audit(db.session)
    from field_app.locks.checks import install as install_locks

    install_locks(db.session)  # no write changes a locked period's figures
    from field_app.core import transaction

    transaction.init_app(app, db.session)  # the one commit of a request
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"),
                     render_as_batch=True)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    security.init_app(app)
    login_manager.init_app(app)
    from field_app.accounts import session as account_session

    account_session.init_app(app)
    from field_app.audit import labels as audit_labels

    audit_labels.init_app(app)
    compress.init_app(app)
    from field_app.core import assets

    assets.init_app(app)  # after Compress: see assets.cache_versioned


def _register_blueprints(app: Flask) -> None:
    # Route modules are imported here, by name, so that no blueprint needs an import at the
    # bottom of a file to gather its routes.
    from field_app.accounts.views import bp as accounts_bp
    from field_app.api import survey as _api_survey, views as _api_views  # noqa: F401  (routes)
    from field_app.api.blueprint import bp as api_bp
    from field_app.audit.views import bp as audit_bp
    from field_app.registrations import list_views as _desk_lists, views as _desk  # noqa: F401
    from field_app.registrations.blueprint import bp as registrations_bp
    from field_app.reporting.views import bp as reporting_bp
    from field_app.reports.views import bp as reports_bp
    from field_app.review.views import bp as review_bp
    from field_app.snapshots.views import bp as snapshots_bp
    from field_app.statistics.views import bp as statistics_bp
    from field_app.statistics import explain as _explain  # noqa: F401  (routes)
    from field_app.statistics import trends as _trends  # noqa: F401  (routes, issue 14)
    from field_app.surveys.views import bp as survey_bp

    for blueprint in (accounts_bp, statistics_bp, registrations_bp, reports_bp, audit_bp, api_bp,
                      survey_bp, review_bp, reporting_bp, snapshots_bp):
        app.register_blueprint(blueprint)
    from field_app.targets.views import bp as targets_bp

    app.register_blueprint(targets_bp)
    from field_app.quality.views import bp as quality_bp

    app.register_blueprint(quality_bp)
    app.register_blueprint(__import__("field_app.appraisal.views", fromlist=["bp"]).bp)
    app.register_blueprint(__import__("field_app.analysis.views", fromlist=["bp"]).bp)
    __import__("field_app.jobs.views", fromlist=["init_app"]).init_app(app)  # pages, queue
    app.register_blueprint(__import__("field_app.partners.views", fromlist=["bp"]).bp)
    app.register_blueprint(__import__("field_app.maps.views", fromlist=["bp"]).bp)  # issue 14
    app.register_blueprint(__import__("field_app.channels.views", fromlist=["bp"]).bp)  # uploads
    __import__("field_app.api.v1", fromlist=["init_app"]).init_app(app)  # REST API v1, its document
    app.register_blueprint(__import__("field_app.channels.review_views", fromlist=["bp"]).bp)  # checks


def _register_error_handlers(app: Flask) -> None:
    from field_app.core.errors import register_error_handlers

    register_error_handlers(app)


def _register_commands(app: Flask) -> None:
    from field_app.cli import register_commands

    register_commands(app)
