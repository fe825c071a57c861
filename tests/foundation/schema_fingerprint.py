"""Every index and constraint of a database or of the models, as comparable fingerprints.

Alembic's drift check cannot see what SQLite cannot reflect (expression indexes) and ignores
partial conditions; these fingerprints come from the database's own DDL (sqlite_master,
pg_indexes, pg_constraint) and from the models compiled for the same dialect, so a batch copy
that loses an index, its WHERE condition or its uniqueness shows up as a difference.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, inspect, text
from sqlalchemy.schema import CreateIndex

from webadmin.models import Base
from webadmin.models.sql import belongs_to_dialect

_INDEX_DDL = re.compile(r"^CREATE (UNIQUE )?INDEX (?:IF NOT EXISTS )?\"?(\w+)\"? "
                        r"ON (?:\w+\.)?\"?(\w+)\"?(?: USING (\w+))? ?\((.*?)\)"
                        r"(?: WHERE (.*))?$", re.S | re.I)
_CAST = re.compile(r"::[a-z ]+(\[\])?", re.I)


def _norm(sql: str | None) -> str:
    """Text without casts, quotes, brackets, spaces or case: what PostgreSQL's rewriting keeps."""
    if not sql:
        return ""
    return re.sub(r"[\s()\"`\[\]]", "", _CAST.sub("", sql)).lower()


def _index_fingerprint(ddl: str) -> tuple[str, tuple]:
    match = _INDEX_DDL.match(" ".join(ddl.split()))
    assert match, ddl
    unique, name, table, using, body, where = match.groups()
    return name, (table, bool(unique), (using or "btree").lower(), _norm(body), _norm(where))


def database_indexes(connection: Connection) -> dict[str, tuple]:
    if connection.dialect.name == "sqlite":
        rows = connection.execute(text(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"))
    else:
        rows = connection.execute(text(
            "SELECT i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"))
    return dict(_index_fingerprint(ddl) for (ddl,) in rows)


def model_indexes(dialect) -> dict[str, tuple]:
    found = {}
    for table in Base.metadata.sorted_tables:
        for index in table.indexes:
            if belongs_to_dialect(index, dialect.name):
                ddl = str(CreateIndex(index).compile(dialect=dialect))
                name, fingerprint = _index_fingerprint(ddl)
                found[name] = fingerprint
    return found


def database_constraints(connection: Connection) -> dict[str, tuple]:
    """Named constraints: foreign keys (columns → referred columns, on delete), unique
    constraints (columns), checks and primary keys (name and table)."""
    inspector = inspect(connection)
    found: dict[str, tuple] = {}
    for table in Base.metadata.tables:
        for fk in inspector.get_foreign_keys(table):
            found[fk["name"]] = ("fk", table, tuple(fk["constrained_columns"]),
                                 fk["referred_table"], tuple(fk["referred_columns"]),
                                 (fk.get("options") or {}).get("ondelete", "").upper() or None)
        for uq in inspector.get_unique_constraints(table):
            found[uq["name"]] = ("unique", table, tuple(uq["column_names"]))
        for ck in inspector.get_check_constraints(table):
            found[ck["name"]] = ("check", table)
        pk = inspector.get_pk_constraint(table)
        found[pk.get("name") or f"pk_{table}"] = ("pk", table, tuple(pk["constrained_columns"]))
    return found


def model_constraints() -> dict[str, tuple]:
    from sqlalchemy import (
        CheckConstraint,
        ForeignKeyConstraint,
        PrimaryKeyConstraint,
        UniqueConstraint,
    )

    found: dict[str, tuple] = {}
    for table in Base.metadata.sorted_tables:
        for constraint in table.constraints:
            columns = tuple(c.name for c in constraint.columns)
            if isinstance(constraint, ForeignKeyConstraint):
                found[constraint.name] = ("fk", table.name, columns,
                                          constraint.referred_table.name,
                                          tuple(e.column.name for e in constraint.elements),
                                          (constraint.ondelete or "").upper() or None)
            elif isinstance(constraint, UniqueConstraint):
                found[constraint.name] = ("unique", table.name, columns)
            elif isinstance(constraint, CheckConstraint):
                found[constraint.name] = ("check", table.name)
            elif isinstance(constraint, PrimaryKeyConstraint):
                found[constraint.name] = ("pk", table.name, columns)
    return found
