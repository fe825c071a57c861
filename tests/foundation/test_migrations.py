"""Migrations go up, down and up again on an empty database, and match the models."""

from __future__ import annotations

import warnings

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from tests.helpers import alembic_config, reset_database, run_alembic
from webadmin.models import Base
from webadmin.models.sql import belongs_to_dialect


@pytest.fixture
def scratch_url(database_url, tmp_path, backend):
    """A second, empty database beside the test database."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    url = make_url(database_url)
    name = f"{url.database}_scratch"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def schema_diff(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as connection, warnings.catch_warnings():
            # SQLite cannot reflect expression indexes; PostgreSQL compares them fully.
            warnings.filterwarnings("ignore", message=".*expression-based index.*")
            dialect = connection.dialect.name
            context = MigrationContext.configure(connection, opts={
                "compare_type": True, "compare_server_default": True,
                "include_object": lambda obj, *_: belongs_to_dialect(obj, dialect)})
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_and_no_drift(scratch_url):
    reset_database(scratch_url)
    config = alembic_config(scratch_url)
    run_alembic(config, "upgrade", "head")
    assert table_names(scratch_url) == set(Base.metadata.tables)
    assert schema_diff(scratch_url) == []

    run_alembic(config, "downgrade", "base")
    assert table_names(scratch_url) == set()

    run_alembic(config, "upgrade", "head")
    assert schema_diff(scratch_url) == []


def test_test_database_schema_comes_from_migrations(migrated_database):
    engine = create_engine(migrated_database)
    try:
        with engine.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()
    assert revision


def test_every_constraint_has_a_conventional_name(migrated_database):
    engine = create_engine(migrated_database)
    try:
        inspector = inspect(engine)
        for table in Base.metadata.tables:
            for check in inspector.get_check_constraints(table):
                assert check["name"] and check["name"].startswith("ck_"), (table, check)
            for fk in inspector.get_foreign_keys(table):
                assert fk["name"] is None or fk["name"].startswith("fk_"), (table, fk)
    finally:
        engine.dispose()


@pytest.mark.postgres_only
def test_song_search_has_trigram_indexes_on_postgresql(migrated_database):
    engine = create_engine(migrated_database)
    try:
        indexes = {ix["name"]: ix for ix in inspect(engine).get_indexes("song")}
    finally:
        engine.dispose()
    for name in ("ix_song_live_title_trgm", "ix_song_live_isrc_trgm"):
        assert name in indexes
        assert indexes[name]["dialect_options"].get("postgresql_using") == "gin"


def test_the_readiness_probe_expects_the_migrations_head():
    """/readyz compares the database with health.MIGRATION_HEADS (the serving processes do not
    import Alembic): it must be what Alembic reads from the migrations folder. A new migration
    fails this test until the constant names it."""
    from alembic.script import ScriptDirectory

    from webadmin.health import MIGRATION_HEADS

    heads = frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())
    assert MIGRATION_HEADS == heads, f"set webadmin/health.py MIGRATION_HEADS to {set(heads)}"


def test_serving_the_app_does_not_import_alembic():
    import subprocess
    import sys

    code = ("import sys; from webadmin import create_app; "
            "create_app({'ENV_NAME': 'testing', 'TESTING': True, 'SECRET_KEY': 'x' * 40, "
            "'DATABASE_URL': 'sqlite://'}); print('alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert out.strip() == "False"
