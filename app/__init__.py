"""Application factory."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, g, request
from jinja2 import (
    ChainableUndefined,
    ChoiceLoader,
    FileSystemLoader,
    PackageLoader,
    select_autoescape,
)

from app.extensions import csrf, db, login_manager, migrate
from app.settings import BASE_DIR, Settings, load_instance_settings


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH", str(BASE_DIR / "instance")),
        instance_relative_config=True,
        static_folder=str(BASE_DIR / "app" / "static"),
    )
    register_config(app, config)
    register_templates(app)
    register_extensions(app)
    register_converters(app)
    register_blueprints(app)
    register_hooks(app)
    register_commands(app)
    register_documents(app)
    return app


def register_config(app: Flask, config: dict[str, Any] | None) -> None:
    app.config.from_object(Settings)
    if config is None:
        load_instance_settings(app)
        for key in ("SECRET_KEY", "DATABASE_URL", "APP_ENV", "BASE_URL", "MAIL_SERVER"):
            if os.environ.get(key):
                app.config["SQLALCHEMY_DATABASE_URI" if key == "DATABASE_URL" else key] = (
                    os.environ[key]
                )
    else:
        app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(
            app.instance_path, "programme.db"
        )
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://"):
        uri = "postgresql+psycopg://" + uri[len("postgres://") :]
    elif uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri[len("postgresql://") :]
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    if uri.startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}
    elif uri.startswith("postgresql") and app.config.get("PG_RANDOM_PAGE_COST"):
        cost = float(app.config["PG_RANDOM_PAGE_COST"])  # a bad value stops start-up here
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options["connect_args"] = {
            **options.get("connect_args", {}),
            "options": f"-c random_page_cost={cost:g}",
        }
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    env = app.config["APP_ENV"]
    if env in ("development", "testing"):
        app.config.setdefault("SESSION_COOKIE_SECURE", False)
        if config is None or "SESSION_COOKIE_SECURE" not in config:
            app.config["SESSION_COOKIE_SECURE"] = False
            app.config["REMEMBER_COOKIE_SECURE"] = False
    if not app.config.get("SECRET_KEY"):
        if env == "production":
            raise RuntimeError(
                "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long "
                "random string before starting the service in production."
            )
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        app.logger.warning("No SECRET_KEY set: using a temporary one (sessions end on restart).")
    if env == "production" and not app.config.get("BASE_URL"):
        # Links in emails and calendars must name the real address; in production the
        # request's Host header is the client's to choose, so it is never used instead.
        raise RuntimeError(
            "BASE_URL is not set. Set the BASE_URL environment variable to the service's "
            "address, e.g. https://prp.example.nhs.uk, before starting it in production."
        )


def register_templates(app: Flask) -> None:
    app.jinja_options = {
        "undefined": ChainableUndefined,
        "loader": ChoiceLoader(
            [
                FileSystemLoader(str(BASE_DIR / "templates")),
                PackageLoader("nhsuk_frontend_jinja"),
            ]
        ),
        # Escape every template but plain text (emails): an apostrophe in a name must
        # not reach a mailbox as &#39;. The NHS.UK components are .jinja: escaped too.
        "autoescape": select_autoescape(disabled_extensions=("txt",), default=True),
        "trim_blocks": True,
        "lstrip_blocks": True,
    }
    from app.core.components import register_components
    from app.core.formatting import register_filters

    register_filters(app)
    register_components(app)


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = "Sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    from app import models  # noqa: F401  (every model registered on the metadata)
    from app.core.db import configure_sqlite, end_reads_with_commit

    with app.app_context():
        configure_sqlite(db.engine)
        end_reads_with_commit(app, db)


def register_converters(app: Flask) -> None:
    """Before the blueprints: `<int:...>` answers 404 for ids an INTEGER column cannot hold."""
    from app.core.params import IdConverter

    app.url_map.converters["int"] = IdConverter


def register_blueprints(app: Flask) -> None:
    from flask import Blueprint

    from app.accounts.views import bp as accounts_bp
    from app.applications.views import bp as applications_bp
    from app.audit.views import bp as audit_bp
    from app.bridging.routes import bp as bridging_bp
    from app.cohorts.views import bp as cohorts_bp
    from app.communities.routes import bp as communities_bp
    from app.documents.routes import bp as documents_bp
    from app.evaluation.routes import bp as evaluation_bp
    from app.home.views import bp as home_bp
    from app.impact.routes import bp as impact_bp
    from app.money.routes import bp as money_bp
    from app.organisations.views import bp as organisations_bp
    from app.outbox.views import bp as outbox_bp
    from app.outputs.routes import bp as outputs_bp
    from app.privacy.routes import bp as privacy_bp
    from app.release.views import bp as release_bp
    from app.reminders.views import bp as reminders_bp
    from app.residentials.views import bp as residentials_bp
    from app.selection.views import bp as selection_bp
    from app.supervision.routes import bp as supervision_bp

    # nhsuk-frontend, served by the app itself (no CDN): its compiled CSS and JS under
    # /frontend, and its images and manifest under /assets, where its CSS looks for them.
    dist = app.config["NHSUK_FRONTEND_DIST"]
    app.register_blueprint(
        Blueprint("frontend", __name__, static_folder=dist, static_url_path="/frontend")
    )
    app.register_blueprint(
        Blueprint(
            "assets",
            __name__,
            static_folder=os.path.join(dist, "assets"),
            static_url_path="/assets",
        )
    )
    for bp in (
        home_bp,
        accounts_bp,
        organisations_bp,
        audit_bp,
        outbox_bp,
        cohorts_bp,
        applications_bp,
        selection_bp,
        release_bp,
        residentials_bp,
        money_bp,
        supervision_bp,
        documents_bp,
        outputs_bp,
        impact_bp,
        bridging_bp,
        evaluation_bp,
        privacy_bp,
        reminders_bp,
        communities_bp,
    ):
        app.register_blueprint(bp)


def register_hooks(app: Flask) -> None:
    from app.accounts.services import load_user
    from app.accounts.twofactor import gate as twofactor_gate
    from app.core import access
    from app.core.errors import register_error_handlers
    from app.core.navigation import navigation_items
    from app.core.security import check_session_age, register_security

    login_manager.user_loader(load_user)
    register_security(app)
    register_error_handlers(app)

    @app.before_request
    def _before():
        g.request_started = True
        if request.endpoint and not request.endpoint.endswith("static"):
            check_session_age()
        return access.enforce() or twofactor_gate()

    @app.context_processor
    def _globals():
        return {
            "service_name": app.config["SERVICE_NAME"],
            "nav_items": navigation_items,
        }


def register_documents(app: Flask) -> None:
    """WeasyPrint, its fonts and the print stylesheet, loaded once at start-up."""
    from app.documents.render import register

    register(app)


def register_commands(app: Flask) -> None:
    from app.demo.commands import register as register_demo
    from app.home.commands import register as register_home
    from app.privacy.commands import register as register_privacy
    from app.residentials.commands import register as register_residentials

    register_demo(app)
    register_home(app)
    register_residentials(app)
    register_privacy(app)
