"""Liveness and readiness probes for the proxy and the orchestrator."""

from __future__ import annotations

import functools
import os

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .auth.permissions import public
from .config import PROJECT_ROOT
from .db import get_db
from .errors import RETRY_LATER

bp = Blueprint("health", __name__)


@functools.cache
def migration_heads() -> frozenset[str]:
    """The revisions the code expects, read once from the migrations folder."""
    config = Config(os.path.join(PROJECT_ROOT, "alembic.ini"))
    config.set_main_option("script_location", os.path.join(PROJECT_ROOT, "migrations"))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


@bp.get("/healthz")
@public
def healthz():
    """The process is up and serving; says nothing about the database."""
    return jsonify(status="ok")


@bp.get("/readyz")
@public
def readyz():
    """The database answers and its schema is at the code's migration head."""
    try:
        with get_db().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as exc:
        current_app.logger.warning("readyz: database unreachable: %s", type(exc).__name__)
        return jsonify(status="unavailable", database="unreachable"), 503, RETRY_LATER
    expected = migration_heads()
    if current != expected:
        return jsonify(status="unavailable", database="not migrated",
                       current=sorted(current), expected=sorted(expected)), 503, RETRY_LATER
    return jsonify(status="ok", database="ok", revision=sorted(current))
