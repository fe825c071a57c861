"""Test harness.

The backend comes from TEST_DATABASE_URL (default: a SQLite file in a temp folder). The schema is
built once per run by ``alembic upgrade head`` — migrations are tested every run. Each test runs
inside a transaction that is rolled back at the end; the app's session joins it with savepoints,
so the app's own commits are real commits to it and invisible to the next test.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tests.helpers import (
    DEFAULT_PASSWORD,
    Browser,
    TestUsers,
    alembic_config,
    empty_every_table,
    reset_database,
    rolled_back_transaction,
    run_alembic,
)
from webadmin import create_app
from webadmin.db import get_db

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """PostgreSQL-only tests are skipped in the SQLite pass; the PostgreSQL pass runs them."""
    if (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="PostgreSQL semantics; runs in the PostgreSQL pass")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    return url


@pytest.fixture(scope="session")
def backend(database_url: str) -> str:
    return make_url(database_url).get_backend_name()


@pytest.fixture(scope="session")
def migrated_database(database_url: str) -> str:
    """An empty database brought to head by the migrations."""
    reset_database(database_url)
    run_alembic(alembic_config(database_url), "upgrade", "head")
    return database_url


def make_test_app(database_url: str, **overrides: object) -> Flask:
    config: dict[str, object] = {
        "ENV_NAME": "testing",
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "DATABASE_URL": database_url,
        "SERVER_NAME": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        "MEDIA_LOCAL_ROOT": test_media_root(),  # uploads never land in the repo's instance/
        # The list cache is keyed by the database snapshot, and a test's commits are savepoints
        # of one outer transaction: the snapshot never moves. tests/races/test_list_cache.py
        # tests it with real commits.
        "LIST_CACHE_SIZE": 0,
    }
    config.update(overrides)
    app = create_app(config)
    app.before_request_funcs.setdefault(None, []).insert(0, forget_request_caches)
    return app


@functools.cache
def test_media_root() -> str:
    """One scratch directory per test run for uploaded files, removed at exit."""
    root = tempfile.mkdtemp(prefix="webadmin-test-media-")
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return root


# Per-request caches Flask-Login and Flask-WTF keep on ``g``.
REQUEST_CACHES = ("_login_user", "csrf_token", "csrf_valid")


def forget_request_caches() -> None:
    """Start every test request without a cached user or CSRF token.

    ``g`` lives as long as the app context, and a request reuses an app context that is already
    pushed: fixtures that hold one open (``db_session``) would otherwise leak one client's user
    into the next client's request. In production every request has its own app context."""
    for name in REQUEST_CACHES:
        g.pop(name, None)


@pytest.fixture
def app_config() -> dict[str, object]:
    """Per-test overrides of the app's settings (override this fixture in a module)."""
    return {}


@pytest.fixture
def app(migrated_database: str, app_config: dict[str, object]) -> Iterator[Flask]:
    app = make_test_app(migrated_database, **app_config)
    with rolled_back_transaction(app):
        yield app


@pytest.fixture
def db_session(app: Flask) -> Iterator[Session]:
    """The app's scoped session, inside the test's rolled-back transaction."""
    with app.app_context():
        yield get_db(app).session()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def browser(app: Flask) -> Browser:
    """A test client that fills forms like a browser: it reads the CSRF token from the page."""
    return Browser(app.test_client())


@pytest.fixture
def users(app: Flask) -> TestUsers:
    """One account of each kind, committed in the test's transaction."""
    with app.app_context():
        return TestUsers.create(get_db(app).session())


@pytest.fixture
def committing_engine(migrated_database: str) -> Iterator[Engine]:
    """For tests that need real commits seen by several connections (races, outages).

    Every table is emptied afterwards so the next test starts clean.
    """
    engine = create_engine(migrated_database)
    try:
        yield engine
    finally:
        with engine.begin() as connection:
            empty_every_table(connection)
        engine.dispose()


__all__ = ["DEFAULT_PASSWORD", "make_test_app", "text"]
