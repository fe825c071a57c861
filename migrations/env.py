"""Alembic environment: the URL comes from the app's settings, the schema from its models."""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

from webadmin import PROJECT_ROOT
from webadmin.config import database_url
from webadmin.models import Base
from webadmin.models.base import UTCDateTime
from webadmin.models.sql import belongs_to_dialect

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or database_url(
        os.environ, os.path.join(PROJECT_ROOT, "instance"))


def _render_item(type_: str, obj, autogen_context):
    """Render UTCDateTime as plain timestamptz: migrations import nothing of ours."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Leave dialect-specific objects (e.g. trigram indexes) out of other dialects' drift checks."""
    return belongs_to_dialect(obj, context.get_context().dialect.name)


def _configure(connection=None, url=None) -> None:
    dialect = connection.dialect.name if connection is not None else url.split(":", 1)[0]
    context.configure(
        connection=connection,
        url=url,
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=True,
        render_as_batch=dialect.startswith("sqlite"),
        render_item=_render_item,
        include_object=_include_object,
        literal_binds=connection is None,
    )


def run_migrations_offline() -> None:
    _configure(url=_url())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # handed in by a caller (tests, readiness tooling)
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
