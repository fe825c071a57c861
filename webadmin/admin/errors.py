"""Database refusals → messages next to the field they concern, by constraint name.

First line: ``check_live_duplicates`` asks, before the flush, whether a live row already holds
the values of any partial unique index of the table (derived from the index itself, so no section
repeats it). Last word: the database; ``constraint_of`` names the constraint behind an
IntegrityError on PostgreSQL (diagnostics) and SQLite (its message), and ``field_error_for``
turns it into the section's message. The database's own text never reaches the user.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Index, literal, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.visitors import iterate, replacement_traverse

from ..models import Base, live
from .types import FieldError

if TYPE_CHECKING:
    from flask_wtf import FlaskForm

    from .options import ModelAdmin

GENERIC_CONFLICT = "This change conflicts with data saved elsewhere. Check the values and retry."
GENERIC_DATA_ERROR = ("A value is too long, out of range or contains characters that can't be "
                      "stored.")
FOREIGN_KEY = "foreign_key"

_SQLITE_INDEX = re.compile(r"index '([A-Za-z0-9_]+)'")
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: ([A-Za-z0-9_., ]+)")
_SQLITE_CHECK = re.compile(r"CHECK constraint failed: ([A-Za-z0-9_]+)\s*$")


def constraint_of(exc: DBAPIError) -> str | None:
    """The name of the constraint or index behind ``exc``, when it can be known."""
    diag = getattr(exc.orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name:
        return str(name)
    message = str(exc.orig)
    if match := _SQLITE_INDEX.search(message):
        return match.group(1)
    if match := _SQLITE_UNIQUE.search(message):
        return _unique_index_on(match.group(1))
    if match := _SQLITE_CHECK.search(message):
        return match.group(1)
    if "FOREIGN KEY constraint failed" in message:
        return FOREIGN_KEY
    return None


def _unique_index_on(column_list: str) -> str | None:
    """SQLite names columns ("genre.slug"), not the index: find the unique index on them."""
    pairs = [part.strip().split(".", 1) for part in column_list.split(",")]
    if not all(len(pair) == 2 for pair in pairs):
        return None
    table_name = pairs[0][0]
    wanted = [column for _table, column in pairs]
    table = Base.metadata.tables.get(table_name)
    if table is None:
        return None
    for index in table.indexes:
        if index.unique and [getattr(e, "name", None) for e in index.expressions] == wanted:
            return index.name
    for constraint in table.constraints:
        if getattr(constraint, "columns", None) is not None and \
                [c.name for c in constraint.columns] == wanted and constraint.name:
            return str(constraint.name)
    return None


def _value_of(obj: Any, column: Column[Any]) -> Any:
    """The row's value for ``column``; a foreign key set through its relationship counts."""
    value = getattr(obj, column.key, None)
    if value is not None:
        return value
    for rel in type(obj).__mapper__.relationships:
        if not rel.uselist and column in rel.local_columns:
            related = getattr(obj, rel.key)
            if related is not None:
                return related.id
    return None


def _live_unique_indexes(table: Any) -> list[Index]:
    indexes = []
    for index in table.indexes:
        where = index.dialect_options["postgresql"].get("where")
        if index.unique and where is not None and "deleted_at IS NULL" in str(where):
            indexes.append(index)
    return sorted(indexes, key=lambda i: i.name or "")


def duplicate_message(admin: ModelAdmin, index_name: str, obj: Any) -> FieldError:
    field, template = admin.constraint_messages.get(index_name, (None, ""))
    values = {c.key: getattr(obj, c.key, None) for c in admin.model_cls.__table__.columns}
    if template:
        return FieldError(field, template.format(**values))
    return FieldError(field, f"Another {admin.singular} already uses this value.")


def check_live_duplicates(session: Session, admin: ModelAdmin, obj: Any) -> None:
    """Raise FieldError when a live row already holds a value a live unique index guards."""
    found = find_live_duplicate(session, admin, obj)
    if found is not None:
        raise duplicate_message(admin, found[0].name or "", obj)


def find_live_duplicate(session: Session, admin: ModelAdmin,
                        obj: Any) -> tuple[Index, int] | None:
    """(index, id of the live row) for the first live unique index ``obj`` would collide on."""
    model = admin.model_cls
    table = model.__table__
    with session.no_autoflush:
        for index in _live_unique_indexes(table):
            values: dict[str, Any] = {}
            for column in columns_in(index):
                values[column.key] = _value_of(obj, column)
            if any(v is None for v in values.values()):
                continue  # NULLs never collide

            def bind(element: Any, _values: dict[str, Any] = values) -> Any:
                if isinstance(element, Column) and element.table is table:
                    return literal(_values[element.key], type_=element.type)
                return None

            clauses = [expr == replacement_traverse(expr, {}, bind)
                       for expr in index.expressions]
            stmt = select(model.id).where(live(model), *clauses)
            if obj.id is not None:
                stmt = stmt.where(model.id != obj.id)
            live_id = session.scalar(stmt.limit(1))
            if live_id is not None:
                return index, live_id
    return None


def columns_in(index: Index) -> list[Column[Any]]:
    found: list[Column[Any]] = []
    for expr in index.expressions:
        for element in iterate(expr):
            if isinstance(element, Column) and not any(element is f for f in found):
                found.append(element)
    return found


def field_error_for(admin: ModelAdmin, exc: DBAPIError, obj: Any | None) -> FieldError:
    """The message for a refused flush, by constraint name; generic when unknown."""
    if not isinstance(exc, IntegrityError):
        return FieldError(None, GENERIC_DATA_ERROR)
    name = constraint_of(exc)
    if name and name in admin.constraint_messages:
        field, template = admin.constraint_messages[name]
        values = {c.key: value for c in admin.model_cls.__table__.columns
                  if (value := getattr(obj, c.key, None)) is not None} \
            if obj is not None else {}
        try:
            return FieldError(field, template.format(**values))
        except (KeyError, IndexError, ValueError):  # the values are unknown: say it plainly
            return FieldError(field, f"Another {admin.singular} already uses this value."
                              if name.startswith("uq_") else GENERIC_CONFLICT)
    if name and name.startswith("uq_"):
        return FieldError(None, f"Another {admin.singular} already uses one of these values.")
    if name == FOREIGN_KEY or (name or "").startswith("fk_"):
        return FieldError(None, "A related record is missing or still in use.")
    return FieldError(None, GENERIC_CONFLICT)


def attach(form: FlaskForm, error: FieldError) -> None:
    """Show ``error`` next to its field (or above the form)."""
    field = form._fields.get(error.field) if error.field else None
    if field is not None:
        field.errors = [*list(field.errors), error.message]
    else:
        form.form_errors.append(error.message)
