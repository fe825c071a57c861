"""Where a form field or a list filter finds related rows, without loading a whole table.

A ``RelatedSource`` names the model, how a row is labelled, which columns an exact typed value
matches (so the form works without JavaScript) and which columns the search-as-you-type lookup
searches. Rows are always read through the related section's base query when that section is
registered (soft delete and row scope apply), else through the live rows of the model.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from ..models import Model, User, live
from .site import site
from .text import clean_text, escape_like

LOOKUP_LIMIT = 20


@dataclass(frozen=True)
class RelatedSource:
    model: type[Model]
    label: Callable[[Any], str] = str
    match: Sequence[str] = ()  # columns an exact, case-insensitive typed value matches
    search: Sequence[str] = ()  # columns the lookup searches (contains, case-insensitive)
    order_by: str = "id"
    section: str | None = None  # admin section whose base query scopes the rows
    where: Callable[[], ColumnElement[bool]] | None = None  # extra condition, e.g. role

    def __post_init__(self) -> None:
        columns = self.model.__table__.c
        for name in (*self.match, *self.search, self.order_by):
            if name not in columns:
                raise TypeError(f"{self.model.__name__} has no column {name!r}")

    def column(self, name: str) -> Any:
        return getattr(self.model, name)

    def base_query(self, user: User | None) -> Select[Any]:
        admin = site.get(self.section) if self.section else None
        if admin is not None and user is not None:
            stmt = admin.base_query(user)
        else:
            stmt = select(self.model).where(live(self.model))
        if self.where is not None:
            stmt = stmt.where(self.where())
        return stmt

    def match_clause(self, raw: str) -> ColumnElement[bool] | None:
        """Rows a typed value names: its public id, or an exact match on a ``match`` column."""
        value = clean_text(raw).strip()
        if not value:
            return None
        try:
            return self.model.public_id == uuid.UUID(value)
        except ValueError:
            pass
        if not self.match:
            return None
        return or_(*(func.lower(self.column(name)) == value.lower() for name in self.match))

    def resolve(self, session: Session, user: User | None, raw: str) -> tuple[Any | None, int]:
        """(row, how many rows matched): 0 → unknown, 2 → ambiguous (row is None)."""
        clause = self.match_clause(raw)
        if clause is None:
            return None, 0
        rows = session.scalars(self.base_query(user).where(clause).limit(2)).all()
        if len(rows) == 1:
            return rows[0], 1
        return None, len(rows)

    def lookup(self, session: Session, user: User | None, q: str,
               limit: int = LOOKUP_LIMIT) -> list[Any]:
        stmt = self.base_query(user)
        term = clean_text(q).strip()[:100]
        if term and self.search:
            pattern = f"%{escape_like(term)}%"
            stmt = stmt.where(or_(*(self.column(name).ilike(pattern, escape="\\")
                                    for name in self.search)))
        stmt = stmt.order_by(self.column(self.order_by), self.model.id).limit(limit)
        return list(session.scalars(stmt))

    def bounded_options(self, session: Session, user: User | None,
                        limit: int) -> list[Any] | None:
        """All rows when there are at most ``limit`` of them (a plain <select>), else None."""
        stmt = self.base_query(user).order_by(self.column(self.order_by), self.model.id)
        rows = list(session.scalars(stmt.limit(limit + 1)))
        return rows if len(rows) <= limit else None

    def typed_value(self, row: Any) -> str:
        """What a user types to name ``row`` (first ``match`` column, else its public id)."""
        if self.match:
            return str(getattr(row, self.match[0]))
        return str(row.public_id)
