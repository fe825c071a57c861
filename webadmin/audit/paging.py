"""Keyset paging newest first on (time, id) for the audit pages, with the list's own cursors.

The same ``keyset_after``/``keyset_order`` as the section lists, so an index on
(filter…, time, id) answers the first page and page 10,000 alike; no OFFSET, no COUNT(*).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from ..admin.query import decode_cursor, encode_cursor, keyset_after, keyset_order


@dataclass
class Page:
    rows: list[Any]
    next_cursor: str | None
    prev_cursor: str | None
    is_first: bool


def keyset_page(session: Session, stmt: Select[Any], time_column: Any, id_column: Any,
                args: MultiDict[str, str], per_page: int, name: str) -> Page:
    """One page of ``stmt`` (rows newest first). ``args`` may hold ``after``/``before``
    cursors made for ``name``; anything else in them is ignored."""
    sort = f"-{name}"
    after = decode_cursor(args.get("after"), sort, time_column)
    before = None if after else decode_cursor(args.get("before"), sort, time_column)
    backwards = before is not None
    descending = not backwards
    cursor = before if backwards else after
    if cursor is not None:
        stmt = stmt.where(keyset_after(time_column, id_column, cursor[0], cursor[1], descending))
    stmt = stmt.order_by(*keyset_order(time_column, id_column, descending)).limit(per_page + 1)
    rows = list(session.execute(stmt).all())
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backwards:
        rows.reverse()
    next_cursor = prev_cursor = None
    if rows:
        first, last = rows[0][0], rows[-1][0]
        time_key, id_key = time_column.key, id_column.key
        if more or backwards:
            next_cursor = encode_cursor(sort, getattr(last, time_key), getattr(last, id_key))
        if (after is not None) if not backwards else more:
            prev_cursor = encode_cursor(sort, getattr(first, time_key), getattr(first, id_key))
    return Page(rows=rows, next_cursor=next_cursor, prev_cursor=prev_cursor,
                is_first=cursor is None)
