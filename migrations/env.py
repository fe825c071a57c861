"""Alembic environment: the URL comes from the app's settings, the schema from its models."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from logging.config import fileConfig

from alembic import context
from alembic.operations import Operations
from sqlalchemy import create_engine, pool, text

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


# --- SQLite batch copies keep expression and partial indexes -----------------------------------
# A batch operation on SQLite copies the table; Alembic rebuilds only the indexes SQLAlchemy can
# reflect, and SQLite expression indexes (e.g. uq_song_artist_title_live on lower(title)) are
# not among them: they vanished silently. This hook wraps every ``op.batch_alter_table`` of a
# migration run: it saves the table's index DDL from sqlite_master before the copy and replays
# whatever the copy lost, except indexes the batch drops on purpose. Migration authors write
# plain batch operations; tests/foundation/test_schema_matches_models.py proves the effect.
_plain_batch_alter_table = getattr(Operations.batch_alter_table, "__wrapped_batch__",
                                   Operations.batch_alter_table)


@contextmanager
def _batch_keeping_indexes(self: Operations, table_name: str, *args, **kwargs) -> Iterator:
    migration = self.migration_context
    if (migration.dialect.name != "sqlite" or migration.as_sql
            or not migration.opts.get("keep_batch_indexes", True)):
        with _plain_batch_alter_table(self, table_name, *args, **kwargs) as batch_op:
            yield batch_op
        return
    connection = migration.connection
    saved = dict(connection.execute(text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t "
        "AND sql IS NOT NULL"), {"t": table_name}).all())
    with warnings.catch_warnings():  # the skipped reflection is what this hook repairs
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        with _plain_batch_alter_table(self, table_name, *args, **kwargs) as batch_op:
            yield batch_op
    dropped = {args[0].name if hasattr(args[0], "name") else args[0]
               for opname, args, _kw in batch_op.impl.batch if opname == "drop_index"}
    present = set(connection.execute(text(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :t"),
        {"t": table_name}).scalars())
    for name, ddl in saved.items():
        if name not in present and name not in dropped:
            connection.execute(text(ddl))


_batch_keeping_indexes.__wrapped_batch__ = _plain_batch_alter_table  # type: ignore[attr-defined]
Operations.batch_alter_table = _batch_keeping_indexes  # type: ignore[method-assign]


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
        # False only in the test that shows what a batch copy loses without the hook above.
        keep_batch_indexes=config.attributes.get("keep_batch_indexes", True),
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
