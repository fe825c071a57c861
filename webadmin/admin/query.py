"""Search, filters, sorting and keyset paging → one select(), and capped counts.

Paging is by keyset: a cursor holds the last row's sort value and id, and the next page asks for
rows after that pair (``(col, id) > (v, i)``), which an index on (col, id) answers directly, so
page 10,000 costs what page 1 costs. Counting stops at ``COUNT_CAP`` rows.

Nothing here raises on bad input: unknown sort keys, garbage cursors, huge or negative page sizes
fall back to defaults.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import (
    Enum,
    Select,
    and_,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    true,
    tuple_,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased, defer, raiseload
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import Boolean
from werkzeug.datastructures import MultiDict

from ..models import User
from .text import clean_text, unstorable_reason
from .types import PER_PAGE_CHOICES

if TYPE_CHECKING:
    from .options import ModelAdmin

COUNT_CAP = 10_000
FACET_CAP = 1_000  # a filter option's count stops here ("1,000+"); BENCHMARKS.md, issue 12
MAX_SEARCH_LENGTH = 200
EXPORT_CHUNK = 1000


@dataclass
class ListParams:
    q: str = ""
    sort_key: str = ""
    descending: bool = False
    per_page: int = 25
    filters: dict[str, Any] = field(default_factory=dict)  # filter param → parsed value
    after: tuple[Any, int] | None = None
    before: tuple[Any, int] | None = None
    deleted: bool = False
    facets: bool = False  # ``facets=1``: each filter option shows its count

    @property
    def sort(self) -> str:
        return ("-" if self.descending else "") + self.sort_key

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.filters)


def parse_list_params(admin: ModelAdmin, args: MultiDict[str, str], user: User) -> ListParams:
    """Read the list's query string; anything unknown or malformed falls back to defaults."""
    params = ListParams(per_page=admin.per_page)
    params.q = clean_text(args.get("q", "")).strip()[:MAX_SEARCH_LENGTH]
    sort = clean_text(args.get("sort", ""))
    if sort.lstrip("-") not in admin.sortable:
        sort = admin.ordering
    params.sort_key = sort.lstrip("-")
    params.descending = sort.startswith("-")
    try:
        per_page = int(args.get("per_page", ""))
    except ValueError:
        per_page = admin.per_page
    params.per_page = per_page if per_page in PER_PAGE_CHOICES else (
        max(c for c in PER_PAGE_CHOICES if c <= max(per_page, PER_PAGE_CHOICES[0])))
    params.deleted = args.get("show") == "deleted"
    params.facets = args.get("facets") == "1"
    for item in admin.get_list_filters(user):
        value = item.parse(args)
        if value is not None:
            params.filters[item.param] = value
    column = cursor_type(admin, params.sort_key)
    params.after = decode_cursor(args.get("after"), params.sort, column)
    params.before = None if params.after else decode_cursor(args.get("before"), params.sort,
                                                             column)
    return params


def sort_column(admin: ModelAdmin, key: str) -> Any:
    """The column a sort key orders by: the model's own, or a related row's
    ("artist.display_name": the artist's name, see ``related_page``)."""
    path = admin.sortable[key]
    if "." in path:
        return related_path(admin.model_cls, path).column
    return getattr(admin.model_cls, path)


def cursor_type(admin: ModelAdmin, key: str) -> Any:
    """What a cursor's value is checked against: the sort column, or for a related sort the
    RelatedPath (the value is then [related value, foreign key])."""
    path = admin.sortable[key]
    return related_path(admin.model_cls, path) if "." in path else sort_column(admin, key)


def sort_value(admin: ModelAdmin, key: str, obj: Any) -> Any:
    """``obj``'s value of the sort key (what its cursor carries): the column's value, or for a
    related sort (the related row's value, the foreign key)."""
    path = admin.sortable[key]
    if "." not in path:
        return getattr(obj, path)
    related = related_path(admin.model_cls, path)
    name, attribute = path.split(".")
    return getattr(getattr(obj, name), attribute), getattr(obj, related.foreign_key.key)


# --- related columns ("artist.display_name") ----------------------------------------------------
@dataclass(frozen=True)
class RelatedPath:
    """A column of a many-to-one related row: ``foreign_key`` on the model points at
    ``target``'s id; ``column`` is the related attribute."""

    foreign_key: Any
    target: Any
    column: Any
    nullable: bool  # the foreign key may be NULL


def related_path(model: Any, path: str) -> RelatedPath:
    """Resolve "relationship.column"; ValueError saying what is wrong otherwise."""
    name, _, attribute = path.partition(".")
    relationship = model.__mapper__.relationships.get(name)
    if relationship is None or relationship.uselist or len(relationship.local_columns) != 1 \
            or "." in attribute:
        raise ValueError(f"{path!r}: {name!r} is not a many-to-one relationship of "
                         f"{model.__name__}")
    target = relationship.mapper.class_
    if attribute not in relationship.mapper.column_attrs:
        raise ValueError(f"{path!r}: {target.__name__} has no column {attribute!r}")
    (fk,) = relationship.local_columns
    return RelatedPath(getattr(model, fk.key), target, getattr(target, attribute), fk.nullable)


class InSubquery(ColumnElement[bool]):
    """``column IN (SELECT …)``, written ``column = ANY(ARRAY(SELECT …))`` on PostgreSQL:
    there the subquery runs once (an InitPlan) and the condition is an index condition, so an
    OR with other searched columns stays a BitmapOr of index scans instead of a filter run on
    every row."""

    type = Boolean()
    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement),
                           ("subquery", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: Any, subquery: Select[Any]) -> None:
        self.column = column.__clause_element__() if hasattr(column, "__clause_element__") \
            else column
        self.subquery = subquery.scalar_subquery()


@compiles(InSubquery)
def _in_subquery(element: InSubquery, compiler: Any, **kw: Any) -> str:
    return f"{compiler.process(element.column, **kw)} IN {compiler.process(element.subquery, **kw)}"


@compiles(InSubquery, "postgresql")
def _in_subquery_postgresql(element: InSubquery, compiler: Any, **kw: Any) -> str:
    return (f"{compiler.process(element.column, **kw)} = "
            f"ANY(ARRAY{compiler.process(element.subquery, **kw)})")


def related_search(model: Any, path: str, pattern: str) -> Any:
    """Rows whose related row's column contains ``pattern`` (an escaped ILIKE pattern)."""
    related = related_path(model, path)
    return InSubquery(related.foreign_key, select(related.target.id).where(
        related.column.ilike(pattern, escape="\\")))


# --- cursors ----------------------------------------------------------------------------------
def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, bool | int | float | str):
        return value.value  # enums
    return value


def encode_cursor(sort: str, value: Any, row_id: int) -> str:
    raw = json.dumps([sort, _encode_value(value), row_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: str | None, sort: str, column: Any) -> tuple[Any, int] | None:
    """(value, id) from a cursor made for the same sort, else None (garbage is ignored)."""
    if not token or len(token) > 600:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        cursor_sort, value, row_id = json.loads(raw)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None
    if cursor_sort != sort or type(row_id) is not int or not -2**63 <= row_id < 2**63:
        return None
    try:
        if isinstance(column, RelatedPath):
            related_value, foreign_key = value  # ValueError/TypeError unless a pair
            return (_typed(related_value, column.column),
                    _typed(foreign_key, column.foreign_key)), row_id
        return _typed(value, column), row_id
    except (ValueError, TypeError, OverflowError):
        return None


def _typed(value: Any, column: Any) -> Any:
    """A JSON value converted to the column's Python type (ValueError when it can't be)."""
    if value is None:
        if not column.nullable:
            raise ValueError("null for a NOT NULL column")
        return None
    column_type = column.type
    python_type = getattr(column_type, "impl_instance", column_type).python_type
    if isinstance(column_type, Enum) and column_type.enum_class is not None:
        python_type = column_type.enum_class
    if python_type is datetime:
        parsed = datetime.fromisoformat(str(value))
        if parsed.tzinfo is None:
            raise ValueError("naive datetime")
        return parsed
    if python_type is date:
        return date.fromisoformat(str(value))
    if python_type is bool:
        if not isinstance(value, bool):
            raise ValueError("not a boolean")
        return value
    if python_type is int:
        if type(value) is not int or not -2**63 <= value < 2**63:
            raise ValueError("not a 64-bit integer")
        return value
    if python_type is str:
        if not isinstance(value, str) or unstorable_reason(value):
            raise ValueError("not text the database can store")
        return value
    if isinstance(python_type, type) and issubclass(python_type, enum.Enum):
        return python_type(value)
    raise ValueError(f"no cursor support for {python_type!r}")


# --- the list query ---------------------------------------------------------------------------
def filtered_query(admin: ModelAdmin, user: User, params: ListParams) -> Select[Any]:
    """Base query (scope + soft delete) + search + filters; no order, no limit."""
    stmt = admin.base_query(user, deleted=params.deleted)
    if params.q:
        clause = admin.search_clause(params.q)
        if clause is not None:
            stmt = stmt.where(clause)
    filters = {f.param: f for f in admin.get_list_filters(user)}
    for param, value in params.filters.items():
        stmt = filters[param].apply(stmt, value, user)
    return stmt


def related_page(admin: ModelAdmin, key: str, stmt: Select[Any], cursor: Any,
                 descending: bool, limit: int, *, lateral: bool) -> Select[Any]:
    """A page ordered by a related row's column, then by that row's id and the row's id.

    ``lateral``: walk the related table in that order (its index) and, for each related row,
    read at most ``limit`` of its rows through (foreign key, id) — a LATERAL subquery carrying
    the list's filters — so a page costs the same at any depth and however many rows one
    artist or genre has (PostgreSQL). Otherwise — SQLite, which has no LATERAL, or a scope of
    one related row, e.g. a singer's own songs — a plain join. The cursor is
    ((related value, foreign key), id)."""
    model = admin.model_cls
    related = related_path(model, admin.sortable[key])
    target = aliased(related.target, name="sort_by") if lateral else related.target
    value_column, target_id = getattr(target, related.column.key), target.id
    inner = stmt.where(related.foreign_key == target_id)
    bound = None
    if cursor is not None:
        (value, foreign_key), last_id = cursor
        start = tuple_(value_column, target_id)
        bound = start <= tuple_(value, foreign_key) if descending else \
            start >= tuple_(value, foreign_key)
        inner = inner.where(or_(target_id != foreign_key,
                                model.id < last_id if descending else model.id > last_id))
    direction = (lambda c: c.desc()) if descending else (lambda c: c.asc())
    if not lateral:
        query = inner if bound is None else inner.where(bound)
        return query.order_by(direction(value_column), direction(target_id),
                              direction(model.id)).limit(limit)
    page = (inner.with_only_columns(model.id).order_by(direction(model.id)).limit(limit)
            .correlate(target).lateral("sorted_page"))
    query = select(model).select_from(target).join(page, true()).join(
        model, model.id == page.c.id)
    if bound is not None:
        query = query.where(bound)
    return query.order_by(direction(value_column), direction(target_id),
                          direction(page.c.id)).limit(limit)


def keyset_order(column: Any, row_id: Any, descending: bool) -> list[Any]:
    """NULLs sort as the largest value on both backends (PostgreSQL's own rule)."""
    if descending:
        first = column.desc().nulls_first() if column.nullable else column.desc()
        return [first, row_id.desc()]
    first = column.asc().nulls_last() if column.nullable else column.asc()
    return [first, row_id.asc()]


def keyset_after(column: Any, row_id: Any, value: Any, last_id: int, descending: bool) -> Any:
    """Rows strictly after (value, last_id) in the order given by ``keyset_order``."""
    if value is None:  # inside the NULL block
        if descending:  # NULLs first: the rest of the NULLs, then every non-NULL row
            return or_(and_(column.is_(None), row_id < last_id), column.is_not(None))
        return and_(column.is_(None), row_id > last_id)
    pair = tuple_(column, row_id)
    condition = pair < tuple_(value, last_id) if descending else pair > tuple_(value, last_id)
    if column.nullable and not descending:
        condition = or_(condition, column.is_(None))
    return condition


@dataclass
class Page:
    rows: list[Any]
    next_cursor: str | None
    prev_cursor: str | None
    extras: list[Any] | None = None  # the values of ``fetch_page``'s extras (None: no rows)


def list_load_options(admin: ModelAdmin, columns: Sequence[Any]) -> list[Any]:
    """Loader options building only what ``columns`` show: an eager many-to-one loads just the
    attributes a column reads from it ("artist.display_name" → the artist's display_name); a
    relationship no column reads is not joined at all (the songs list shows no album); a cell
    method declares what it reads in a ``reads`` attribute (``{"cover_media": ("thumbnail_key",
    …)}``, webadmin/media/fields.py); and the columns a section names in ``list_deferred`` (a
    song's lyrics: unbounded text no list cell reads) stay unloaded. A cell reading a relation
    it did not declare fails loudly in tests and debug (``raiseload``, ``fetch_page``)."""
    options: list[Any] = []
    mapper = admin.model_cls.__mapper__
    paths = [c.path.split(".") for c in (*columns, *admin.related_sorts())]
    declared: dict[str, set[str] | None] = {}
    for column in columns:
        method = getattr(admin, column.path, None) if "." not in column.path else None
        for name, attrs in (getattr(method, "reads", None) or {}).items():
            known = declared.setdefault(name, set())
            if known is not None:
                known.update(attrs or ())
                if not attrs:
                    declared[name] = None  # the whole row
    for option, name in zip(admin.eager_options(), admin.eager_relationships, strict=True):
        relationship = mapper.relationships[name]
        named = [p for p in paths if p[0] == name]
        if not named and name not in declared:
            continue
        related = relationship.mapper
        wanted = ({p[1] for p in named if len(p) == 2}
                  if all(len(p) == 2 for p in named) else None)
        if wanted is not None and name in declared:
            wanted = None if declared[name] is None else wanted | declared[name]  # type: ignore[operator]
        if (not relationship.uselist and wanted
                and all(a in related.column_attrs for a in wanted)):
            option = option.load_only(*(getattr(related.class_, a) for a in sorted(wanted)))
        options.append(option)
    options.extend(defer(getattr(admin.model_cls, name))
                   for name in getattr(admin, "list_deferred", ()))
    return options


def from_matches(model: Any, stmt: Select[Any]) -> Select[Any]:
    """``stmt``'s rows as ``id = ANY(ARRAY(SELECT id … matching))`` (PostgreSQL): the ids are
    found first, once (an InitPlan planned on its own: the search's trigram indexes, a
    BitmapOr), then read through the primary key and sorted — instead of walking the sort
    order's index and testing every row until a page is full."""
    return select(model).where(InSubquery(model.id, stmt.with_only_columns(model.id)
                                          .order_by(None).correlate(None)))


def fetch_page(session: Session, admin: ModelAdmin, user: User, params: ListParams,
               stmt: Select[Any] | None = None, columns: Sequence[Any] | None = None,
               extras: Sequence[Any] = (), *, few_matches: bool = False) -> Page:
    """One page by keyset. ``columns`` (the list's): load only what they show. ``extras``:
    uncorrelated scalar subqueries (the capped count, …) asked in the same statement; their
    values come back in ``Page.extras`` — unless the page has no rows to carry them.

    ``few_matches``: the caller counted the rows ``stmt`` matches and they are few (the capped
    count did not reach its cap). On PostgreSQL the page is then sorted from those matches
    (``from_matches``): the planner cannot tell how few rows a search matches (an artist's
    name becomes ids only when the query runs; a trigram estimate is rough), assumes many, and
    would otherwise walk the sort order's index filtering row after row — most of the table for
    a rare artist. Paging from the matches costs at most ``COUNT_CAP`` primary-key reads and a
    sort. The rows, order and cursors are the same either way; SQLite keeps the index walk."""
    stmt = filtered_query(admin, user, params) if stmt is None else stmt
    model = admin.model_cls
    postgresql = session.get_bind().dialect.name == "postgresql"
    few_matches = few_matches and postgresql
    if few_matches:
        stmt = from_matches(model, stmt)
    column, row_id = sort_column(admin, params.sort_key), model.id
    backwards = params.before is not None
    descending = params.descending != backwards  # walking backwards flips the order
    cursor = params.before if backwards else params.after
    if "." in admin.sortable[params.sort_key]:
        stmt = related_page(admin, params.sort_key, stmt, cursor, descending,
                            params.per_page + 1, lateral=postgresql and not few_matches
                            and not admin.owns(user))
    else:
        if cursor is not None:
            stmt = stmt.where(keyset_after(column, row_id, cursor[0], cursor[1], descending))
        stmt = stmt.order_by(*keyset_order(column, row_id, descending)).limit(params.per_page + 1)
    options = admin.eager_options() if columns is None else list_load_options(admin, columns)
    if current_app.testing or current_app.debug:
        options.append(raiseload("*"))  # a lazy load in a list is a bug: fail loudly
    page_extras = None
    if extras:
        result = session.execute(stmt.add_columns(*extras).options(*options)).all()
        rows = [row[0] for row in result]
        if result:
            page_extras = list(result[0][1:])
    else:
        rows = list(session.scalars(stmt.options(*options)).unique())
    more = len(rows) > params.per_page
    rows = rows[:params.per_page]
    if backwards:
        rows.reverse()
    next_cursor = prev_cursor = None
    if rows:
        first, last = rows[0], rows[-1]
        has_next = more if not backwards else True
        has_prev = (params.after is not None) if not backwards else more
        if has_next:
            next_cursor = encode_cursor(params.sort, sort_value(admin, params.sort_key, last),
                                        last.id)
        if has_prev:
            prev_cursor = encode_cursor(params.sort, sort_value(admin, params.sort_key, first),
                                        first.id)
    return Page(rows=rows, next_cursor=next_cursor, prev_cursor=prev_cursor, extras=page_extras)


@dataclass
class Count:
    value: int
    capped: bool  # the real number is larger than ``value``
    estimated: bool = False

    def __str__(self) -> str:
        if self.estimated:
            return f"about {self.value:,}"
        return f"{self.value:,}+" if self.capped else f"{self.value:,}"


def capped_count(session: Session, stmt: Select[Any], cap: int = COUNT_CAP,
                 estimate_table: str | None = None) -> Count:
    """Count up to ``cap`` rows. Above the cap, PostgreSQL's planner estimate of the table is
    used when ``estimate_table`` is given (an unfiltered list). One statement."""
    return count_with(session, stmt, cap=cap, estimate_table=estimate_table)[0]


def capped_rows(stmt: Select[Any], cap: int) -> Any:
    """A scalar subquery counting at most ``cap + 1`` rows of ``stmt``
    (``SELECT count(*) FROM (SELECT 1 … LIMIT cap + 1)``): more than ``cap`` means capped."""
    limited = stmt.with_only_columns(text("1")).order_by(None).limit(cap + 1).subquery()
    return select(func.count()).select_from(limited).correlate(None).scalar_subquery()


def count_with(session: Session, stmt: Select[Any], *, cap: int = COUNT_CAP,
               estimate_table: str | None = None,
               extras: Sequence[Any] = ()) -> tuple[Count, list[Any]]:
    """The capped count, the estimate and ``extras`` (scalar subqueries the page needs, e.g.
    the data versions of its filter choices) in ONE round trip."""
    counting = count_columns(session, stmt, cap=cap, estimate_table=estimate_table)
    row = session.execute(select(*counting, *extras)).one()
    return read_count(row[:len(counting)], cap), list(row[len(counting):])


def count_columns(session: Session, stmt: Select[Any], *, cap: int = COUNT_CAP,
                  estimate_table: str | None = None) -> list[Any]:
    """Scalar subqueries giving the count of ``stmt``'s rows up to ``cap`` + 1 and, on
    PostgreSQL with ``estimate_table``, the planner's estimate of that table's rows — to be
    asked on their own (``count_with``) or alongside the page (``fetch_page``'s extras);
    ``read_count`` reads their values."""
    count = capped_rows(stmt, cap)
    if not estimate_table or session.get_bind().dialect.name != "postgresql":
        return [count]
    live_index = live_rows_index(session, estimate_table)
    estimate = _reltuples(live_index or estimate_table)
    if live_index is not None:
        # The partial index holds one entry per live row: when it holds ten times the
        # cap, counting to the cap could only say "more than the cap" — the estimate is shown
        # without counting (PostgreSQL never runs a CASE branch's subquery it does not take).
        count = case((estimate >= NO_COUNT_ABOVE, None), else_=count)
    return [count, estimate]


NO_COUNT_ABOVE = 10 * COUNT_CAP


def _reltuples(relation: str) -> Any:
    """The planner's row count of a table or index (-1: never analysed)."""
    return select(literal_column("reltuples::bigint")).select_from(text("pg_class")).where(
        literal_column("oid") == func.to_regclass(literal(relation))).correlate(
        None).scalar_subquery()


def live_rows_index(session: Session, table: str) -> str | None:
    """The name of a partial index of ``table`` over its live rows (``WHERE deleted_at IS
    NULL``), whose planner row count estimates the live rows; looked up once per process."""
    known: dict[str, str | None] = current_app.extensions.setdefault("live_rows_index", {})
    if table not in known:
        known[table] = session.execute(text(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = to_regclass(:table) "
            "AND pg_get_expr(i.indpred, i.indrelid) = '(deleted_at IS NULL)' "
            "ORDER BY c.relname LIMIT 1"), {"table": table}).scalar()
    return known[table]


def read_count(values: Sequence[Any], cap: int = COUNT_CAP) -> Count:
    """The Count from the values of ``count_columns``: exact up to the cap; above it the
    estimate when there is one (an unfiltered list), else "cap+"."""
    estimate = values[1] if len(values) > 1 else None
    if values[0] is None and estimate is not None:  # not counted: far above the cap
        return Count(int(estimate), capped=True, estimated=True)
    counted = values[0] or 0
    if counted <= cap:
        return Count(counted, capped=False)
    if estimate and estimate > cap:
        return Count(int(estimate), capped=True, estimated=True)
    return Count(cap, capped=True)


def facet_counts(session: Session, admin: ModelAdmin, user: User, params: ListParams,
                 filters: Sequence[tuple[Any, Sequence[tuple[str, str]] | None]],
                 cap: int | None = None) -> dict[str, dict[str, Count]]:
    """Each filter option's count, in ONE statement: filter param → option value → Count.

    ``filters`` pairs each list filter with the options its widget shows. An option's count is
    the rows of the list as it is (scope, live or deleted, search, every *other* active
    filter) that the option alone would select — the filter's own choice replaced by just
    that option (``Filter.facet_clauses``) — counted up to ``cap`` (``capped_rows``). Each
    option stops at cap + 1 matches; with fewer matches it reads every row its index narrows
    to (BENCHMARKS.md, "Filter counts": a 50-option filter beside other filters is the slow
    case)."""
    cap = FACET_CAP if cap is None else cap
    keys: list[tuple[str, str]] = []
    columns: list[Any] = []
    for item, options in filters:
        others = replace(params, filters={p: v for p, v in params.filters.items()
                                          if p != item.param})
        base = filtered_query(admin, user, others)
        for value, clause in item.facet_clauses(options, user):
            keys.append((item.param, value))
            columns.append(capped_rows(base.where(clause), cap))
    if not columns:
        return {}
    counts: dict[str, dict[str, Count]] = {}
    for (param, value), counted in zip(keys, session.execute(select(*columns)).one(),
                                       strict=True):
        counts.setdefault(param, {})[value] = Count(min(counted, cap), capped=counted > cap)
    return counts


def iter_rows(session: Session, admin: ModelAdmin, user: User, params: ListParams,
              stmt: Select[Any] | None = None, chunk: int = EXPORT_CHUNK) -> Iterator[Any]:
    """Every row of the filtered list, in keyset chunks (never the whole result in memory)."""
    walker = ListParams(q=params.q, sort_key=params.sort_key, descending=params.descending,
                        per_page=chunk, filters=params.filters, deleted=params.deleted)
    base = filtered_query(admin, user, params) if stmt is None else stmt
    while True:
        page = fetch_page(session, admin, user, walker, base)
        yield from page.rows
        if page.next_cursor is None or not page.rows:
            return
        last = page.rows[-1]
        walker.after = (sort_value(admin, params.sort_key, last), last.id)
        for row in page.rows:  # keep memory flat across chunks
            session.expunge(row)
