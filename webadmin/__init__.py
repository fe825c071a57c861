"""webadmin: the back office of a music-streaming service."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from . import db
from .config import PROJECT_ROOT, load_settings

__all__ = ["PROJECT_ROOT", "create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` overrides settings read from the environment (tests use it)."""
    app = Flask(
        __name__,
        instance_path=os.path.join(PROJECT_ROOT, "instance"),
        template_folder=os.path.join(PROJECT_ROOT, "templates"),
        static_folder=os.path.join(PROJECT_ROOT, "static"),
    )
    app.config.from_mapping(load_settings(os.environ, app.instance_path, config))
    os.makedirs(app.instance_path, exist_ok=True)
    configure_flask(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def configure_flask(app: Flask) -> None:
    from datetime import timedelta

    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=app.config["SESSION_COOKIE_SECURE"],
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=app.config["SESSION_LIFETIME_MINUTES"]),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
    )
    if app.config["TESTING"]:
        import jinja2

        app.jinja_env.undefined = jinja2.StrictUndefined


def register_extensions(app: Flask) -> None:
    from . import inputs, proxy, security, templating
    from . import logging as request_logging
    from .auth import loader as auth_loader
    from .auth import permissions
    from .extensions import csrf, login_manager

    request_logging.init_app(app)  # first: request ids before any other hook runs
    proxy.init_app(app)
    inputs.init_app(app)  # before CSRF and the views: nothing reads text the DB can't store
    db.init_app(app)
    templating.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    permissions.init_app(app)
    auth_loader.init_app(app)
    security.init_app(app)


def register_blueprints(app: Flask) -> None:
    from .admin import blueprints as admin_blueprints
    from .audit.views import init_app as audit_init
    from .auth.views import bp as auth_bp
    from .health import bp as health_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(auth_bp)
    admin_blueprints.init_app(app)  # each section (webadmin/*/admin.py), the dashboard
    audit_init(app)  # /audit/ and /audit/log
    from . import media

    media.init_app(app)  # uploads of the sections that declare ``media``


def register_errorhandlers(app: Flask) -> None:
    from . import errors

    errors.init_app(app)


def register_commands(app: Flask) -> None:
    from .cli import register

    register(app)
