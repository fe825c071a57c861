"""Liveness and readiness probes for the proxy and the orchestrator.

The readiness probe compares the database's ``alembic_version`` rows with ``MIGRATION_HEADS``,
the revisions the code expects. That constant is kept by hand next to the migrations and
checked against Alembic's own reading of the migrations folder by
tests/foundation/test_migrations.py — so the serving processes never import Alembic (about
10 MB of memory per worker).
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .auth.permissions import public
from .db import get_db
from .errors import RETRY_LATER

bp = Blueprint("health", __name__)

MIGRATION_HEADS = frozenset({"0009"})  # the newest revision in migrations/versions/


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
            current = current_heads(connection)
    except SQLAlchemyError as exc:
        current_app.logger.warning("readyz: database unreachable: %s", type(exc).__name__)
        return jsonify(status="unavailable", database="unreachable"), 503, RETRY_LATER
    expected = MIGRATION_HEADS
    if current != expected:
        return jsonify(status="unavailable", database="not migrated",
                       current=sorted(current), expected=sorted(expected)), 503, RETRY_LATER
    return jsonify(status="ok", database="ok", revision=sorted(current))


def current_heads(connection) -> frozenset[str]:  # noqa: ANN001 - a SQLAlchemy Connection
    """The revisions the database is at (none: never migrated)."""
    if not connection.dialect.has_table(connection, "alembic_version"):
        return frozenset()
    return frozenset(connection.execute(text("SELECT version_num FROM alembic_version"))
                     .scalars())
