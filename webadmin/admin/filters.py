"""List filters declared as data. Each reads its own query parameters, never raises on bad
input (unknown values are dropped), and adds a bound-parameter condition to the list query."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import DateTime, Select, String, TypeDecorator, cast, func, or_, select, true
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from ..models import User
from .related import RelatedSource
from .text import clean_text, display

MAX_VALUES = 20
BOUNDED_SELECT_LIMIT = 50
MAX_CACHED_CHOICES = 1024  # per process: (filter, user) entries before the cache starts over


@dataclass
class FilterWidget:
    """What the list template needs to draw one filter."""

    kind: str
    param: str
    label: str
    selected: list[str]
    options: list[tuple[str, str]] | None = None  # (value, label)
    lookup_param: str | None = None  # related filters without a bounded list: a text input
    lookup_url: str | None = None
    params: tuple[str, ...] = ()
    counts: dict[str, Any] | None = None  # option value → its capped count (``facets=1``)


class Filter:
    kind = "base"

    def __init__(self, field: str, label: str | None = None, *, param: str | None = None):
        self.field = field
        self.label = label or field.replace("_", " ").capitalize()
        self.param = param or field
        self.model: Any = None

    def bind(self, model: Any) -> None:
        """Check the declaration against the model (called when the admin class is defined)."""
        if self.field not in model.__table__.c:
            raise TypeError(f"filter {self.param!r}: {model.__name__} has no column {self.field!r}")
        self.model = model

    @property
    def column(self) -> Any:
        return getattr(self.model, self.field)

    @property
    def params(self) -> tuple[str, ...]:
        return (self.param,)

    def parse(self, args: MultiDict[str, str]) -> Any:
        raise NotImplementedError

    def apply(self, stmt: Select[Any], value: Any, user: User | None) -> Select[Any]:
        raise NotImplementedError

    def widget(self, value: Any, session: Session, user: User | None) -> FilterWidget:
        raise NotImplementedError

    def facet_clauses(self, options: Sequence[tuple[str, str]] | None,
                      user: User | None) -> Iterator[tuple[str, Any]]:
        """(option value, condition) for each of the widget's ``options``: the condition this
        filter's own ``parse`` and ``apply`` add when just that option is chosen. What the
        option counts of the list are built from (``query.facet_counts``); a filter without a
        fixed list of options (a related lookup, a date range) gives none."""
        for value, _label in options or ():
            parsed = self.parse(MultiDict([(self.param, value)]))
            if parsed is not None:
                yield value, self.apply(select(self.model.id), parsed, user).whereclause


class ChoiceFilter(Filter):
    """One or several values out of a fixed list (an Enum or (value, label) pairs)."""

    kind = "choice"

    def __init__(self, field: str, choices: type[enum.Enum] | Iterable[tuple[str, str]],
                 label: str | None = None, *, param: str | None = None):
        super().__init__(field, label, param=param)
        is_enum = isinstance(choices, type) and issubclass(choices, enum.Enum)
        self.enum = choices if is_enum else None
        if self.enum is not None:
            self.choices = [(str(m.value), display(m)) for m in self.enum]
        else:
            self.choices = [(str(v), str(lbl)) for v, lbl in choices]  # type: ignore[union-attr]

    def parse(self, args: MultiDict[str, str]) -> list[str] | None:
        valid = {value for value, _ in self.choices}
        values = [v for v in dict.fromkeys(args.getlist(self.param)) if v in valid][:MAX_VALUES]
        return values or None

    def apply(self, stmt: Select[Any], value: list[str], user: User | None) -> Select[Any]:
        converted = [self.enum(v) for v in value] if self.enum is not None else value
        return stmt.where(self.column.in_(converted))

    def widget(self, value: Any, session: Session, user: User | None) -> FilterWidget:
        return FilterWidget(self.kind, self.param, self.label, list(value or []),
                            options=list(self.choices))


class BooleanFilter(Filter):
    kind = "boolean"
    VALUES = {"yes": True, "no": False}

    def parse(self, args: MultiDict[str, str]) -> bool | None:
        for raw in args.getlist(self.param):
            if raw in self.VALUES:
                return self.VALUES[raw]
        return None

    def apply(self, stmt: Select[Any], value: bool, user: User | None) -> Select[Any]:
        return stmt.where(self.column == true()) if value else stmt.where(self.column != true())

    def widget(self, value: Any, session: Session, user: User | None) -> FilterWidget:
        selected = [] if value is None else ["yes" if value else "no"]
        return FilterWidget(self.kind, self.param, self.label, selected,
                            options=[("yes", "Yes"), ("no", "No")])


class RelatedFilter(Filter):
    """Rows whose related row is one of the given ones (public id or an exact name).

    Small related tables get a bounded multi-select; big ones a text input with a lookup.
    """

    kind = "related"

    def __init__(self, relationship: str, source: RelatedSource, label: str | None = None, *,
                 param: str | None = None):
        super().__init__(relationship, label, param=param)
        self.source = source
        self.fk: Any = None

    def bind(self, model: Any) -> None:
        relationship = model.__mapper__.relationships.get(self.field)
        if relationship is None or relationship.uselist:
            raise TypeError(f"filter {self.param!r}: {model.__name__}.{self.field} is not a "
                            "many-to-one relationship")
        (local,) = relationship.local_columns
        self.model = model
        self.fk = getattr(model, local.key)

    def parse(self, args: MultiDict[str, str]) -> list[str] | None:
        values = [clean_text(v).strip() for v in args.getlist(self.param)]
        values = [v[:200] for v in dict.fromkeys(values) if v][:MAX_VALUES]
        return values or None

    def apply(self, stmt: Select[Any], value: list[str], user: User | None) -> Select[Any]:
        clauses = [c for c in (self.source.match_clause(v) for v in value) if c is not None]
        if not clauses:
            return stmt.where(self.fk.is_(None) & self.fk.is_not(None))  # matches nothing
        related = self.source.base_query(user).where(or_(*clauses))
        return stmt.where(self.fk.in_(related.with_only_columns(self.source.model.id)))

    def version_query(self, user: User | None) -> Any:
        """A scalar subquery whose value changes whenever the choices this filter would show
        can change: row count (capped above the select limit), the sum of the rows' versions
        (every ORM update bumps one), and the newest created/updated times and id. Asked in the
        page's count statement, it lets ``widget`` reuse choices cached per process. The
        construct itself (the same for the same user) is built once per process and user."""
        cache: dict[Any, Any] = current_app.extensions.setdefault("list_filter_versions", {})
        key = (id(self), getattr(user, "id", None), getattr(user, "role", None))
        if key not in cache:
            if len(cache) > MAX_CACHED_CHOICES:
                cache.clear()
            cache[key] = self._build_version_query(user)
        return cache[key]

    def _build_version_query(self, user: User | None) -> Any:
        model = self.source.model
        rows = self.source.base_query(user).with_only_columns(
            model.id, model.version_id, model.created_at, model.updated_at).order_by(None).limit(
            BOUNDED_SELECT_LIMIT + 1).subquery()
        parts = [func.count(), func.sum(rows.c.version_id), func.max(rows.c.id),
                 func.max(rows.c.created_at), func.max(rows.c.updated_at)]
        joined: Any = None
        for part in parts:
            piece = func.coalesce(cast(part, String), "")
            joined = piece if joined is None else joined + ":" + piece
        return select(joined).correlate(None).scalar_subquery()  # asked beside any page

    def widget(self, value: Any, session: Session, user: User | None, *,
               version: str | None = None) -> FilterWidget:
        """With ``version`` (from ``version_query``), the choices come from a per-process,
        per-user cache entry made under the same version, else from the database."""
        cache: dict[Any, Any] = current_app.extensions.setdefault("list_filter_choices", {})
        key = (id(self), getattr(user, "id", None), getattr(user, "role", None))
        cached = cache.get(key) if version is not None else None
        if cached is not None and cached[0] == version:
            options, by_name = cached[1], cached[2]
        else:
            rows = self.source.bounded_options(session, user, BOUNDED_SELECT_LIMIT)
            if rows is None:
                options, by_name = None, {}
            else:
                options = [(str(row.public_id), self.source.label(row)) for row in rows]
                by_name = {self.source.typed_value(row).lower(): str(row.public_id)
                           for row in rows}
            if version is not None:
                if len(cache) > MAX_CACHED_CHOICES:
                    cache.clear()
                cache[key] = (version, options, by_name)
        selected = list(value or [])
        if options is None:
            return FilterWidget(self.kind, self.param, self.label, selected,
                                lookup_param=self.param)
        # A value typed as a name selects the matching option.
        selected = [by_name.get(v.lower(), v) for v in selected]
        return FilterWidget(self.kind, self.param, self.label, selected, options=list(options))


class DateRangeFilter(Filter):
    """From/to dates (inclusive), as ``<param>_from`` and ``<param>_to``."""

    kind = "daterange"

    @property
    def params(self) -> tuple[str, ...]:
        return (f"{self.param}_from", f"{self.param}_to")

    @staticmethod
    def _date(raw: str | None) -> date | None:
        try:
            return date.fromisoformat(clean_text(raw).strip()) if raw else None
        except ValueError:
            return None

    def parse(self, args: MultiDict[str, str]) -> tuple[date | None, date | None] | None:
        start, end = (self._date(args.get(p)) for p in self.params)
        return (start, end) if start or end else None

    def apply(self, stmt: Select[Any], value: tuple[date | None, date | None],
              user: User | None) -> Select[Any]:
        start, end = value
        if isinstance(self.column.type, DateTime | TypeDecorator) and isinstance(
                getattr(self.column.type, "impl", self.column.type), DateTime):
            # a timestamp column: whole UTC days
            if start:
                stmt = stmt.where(self.column >= datetime.combine(start, time.min, UTC))
            if end:
                stmt = stmt.where(self.column < datetime.combine(end + timedelta(days=1),
                                                                 time.min, UTC))
            return stmt
        if start:
            stmt = stmt.where(self.column >= start)
        if end:
            stmt = stmt.where(self.column <= end)
        return stmt

    def facet_clauses(self, options: Sequence[tuple[str, str]] | None,
                      user: User | None) -> Iterator[tuple[str, Any]]:
        return iter(())  # a range has no options to count

    def widget(self, value: Any, session: Session, user: User | None) -> FilterWidget:
        start, end = value or (None, None)
        return FilterWidget(self.kind, self.param, self.label,
                            [start.isoformat() if start else "", end.isoformat() if end else ""],
                            params=self.params)


def bind_filters(model: Any, filters: Sequence[Filter]) -> None:
    seen: set[str] = set()
    for item in filters:
        if not isinstance(item, Filter):
            raise TypeError(f"list_filters entries must be Filter objects, got {item!r}")
        item.bind(model)
        for param in item.params:
            if param in seen or param in RESERVED_PARAMS:
                raise TypeError(f"filter parameter {param!r} is used twice or reserved")
            seen.add(param)


RESERVED_PARAMS = frozenset({"q", "sort", "per_page", "after", "before", "page", "show",
                             "facets"})
