"""Helpers for admin tests: signed-in browsers, reading a page's form, counting statements."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from html import unescape
from html.parser import HTMLParser
from typing import Any

from flask import Flask
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from tests.helpers import Browser
from webadmin.db import get_db
from webadmin.models import AuditEvent

UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


class _FormReader(HTMLParser):
    """Collects what a browser would submit from the first <form method=post> in <main>."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, Any] = {}
        self.in_form = False
        self.in_main = False
        self.done = False
        self.select: str | None = None
        self.select_first: str | None = None
        self.option_value: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if self.done:
            return
        if tag == "main":
            self.in_main = True
        if tag == "form" and self.in_main and a.get("method", "").lower() == "post":
            self.in_form = True
        if not self.in_form:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in {"submit", "button"}:
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.values[name] = a.get("value", "y")
            else:
                self.values[name] = a.get("value", "")
        elif tag == "select" and name:
            self.select, self.select_first = name, None
            self.values[name] = ""
        elif tag == "option" and self.select:
            value = a.get("value", "")
            if self.select_first is None:
                self.select_first = value
                self.values[self.select] = value
            if "selected" in a:
                self.values[self.select] = value
        elif tag == "textarea" and name:
            self.textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form" and self.in_form:
            self.in_form, self.done = False, True

    def handle_data(self, data: str) -> None:
        if self.textarea:
            if not self.values[self.textarea]:  # browsers drop the newline after <textarea>
                data = data.removeprefix("\r\n").removeprefix("\n")
            self.values[self.textarea] += data


def form_values(html: str) -> dict[str, Any]:
    """The values the page's POST form would submit as it stands (without csrf_token)."""
    reader = _FormReader()
    reader.feed(html)
    reader.values.pop("csrf_token", None)
    return reader.values


def field_error(html: str, field_id: str) -> str | None:
    match = re.search(rf'id="{re.escape(field_id)}-error">([^<]*)<', html)
    return match.group(1) if match else None


def public_ids(html: str, section: str) -> list[str]:
    """Row public ids linked from a list page, in page order, without duplicates."""
    found = re.findall(rf"/{section}/({UUID_RE})/history", html)
    return list(dict.fromkeys(found))


def signed_in(app: Flask, email: str) -> Browser:
    browser = Browser(app.test_client())
    response = browser.login(email)
    assert response.status_code == 302, response.status_code
    return browser


@contextmanager
def count_statements(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement the app's engine runs inside the block (savepoints aside)."""
    statements: list[str] = []
    engine = get_db(app).engine

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # The test harness's savepoints are not the page's work.
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def meanwhile(session: Session, row: Any, **values: Any) -> None:
    """Another person's committed write to ``row``, landing just before the request's first
    flush (after the view read the row): the row changes in the database and its version
    moves on, while the request's copy keeps the version it read — exactly the interleaving
    of two requests racing on one row."""
    table = type(row).__table__
    other_statement_meanwhile(session, update(table).where(table.c.id == row.id).values(
        version_id=table.c.version_id + 1, **values))


def other_statement_meanwhile(session: Session, statement: Any) -> None:
    """``statement``, committed by someone else just before the request's first flush.

    The tests share one connection, so the request's rollback would undo the other write too;
    it is applied again after that rollback, as a committed write would stay."""
    applied: list[Any] = []

    def other_write(flushing: Session, *_args: Any) -> None:
        connection = flushing.connection()
        connection.execute(statement)
        applied.append(connection)

    def still_there(_session: Session, _previous: Any) -> None:
        if applied:
            applied.pop().execute(statement)

    event.listen(session, "before_flush", other_write, once=True)
    event.listen(session, "after_soft_rollback", still_there)


def deleted_meanwhile(session: Session, row: Any) -> None:
    meanwhile(session, row, deleted_at=datetime.now(UTC))


def conflict_rows(html: str) -> list[tuple[str, str, str]]:
    """(field label, saved by someone else, yours) of the conflict page's "What changed"."""
    return [(unescape(label), unescape(theirs), unescape(yours)) for label, theirs, yours in
            re.findall(r'<td data-label="Field">(.*?)</td>\s*<td data-label="Theirs">(.*?)</td>'
                       r'\s*<td data-label="Yours">(.*?)</td>', html, re.S)]


def audit_actions(session: Session, row: Any) -> list[str]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent.action).where(
        AuditEvent.target_public_id == str(row.public_id)).order_by(AuditEvent.id)))
