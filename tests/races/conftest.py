"""Real races: several threads, each a person with their own signed-in client, writing the same
rows of a dedicated PostgreSQL database with real commits.

``together`` runs their requests at the same moment. With ``gate`` (the default) every request
waits, at its first flush, until all of them got there: each has read the rows before anyone
writes, so the database itself decides who wins (row locks, the version check in the UPDATE,
the partial unique indexes) — the worst interleaving, every run, not by luck.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.orm import Session

from tests.conftest import make_test_app
from tests.helpers import TestUsers, empty_every_table, session_csrf_token, sign_in_session
from tests.production.servers import dedicated_database
from webadmin.db import get_db
from webadmin.models import AuditEvent

GATE_TIMEOUT = 10.0
RACE_TIMEOUT = 30.0


@pytest.fixture(scope="module")
def race_database(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with dedicated_database(database_url, "races", tmp_path_factory.mktemp("races")) as url:
        yield url


@dataclass
class Arena:
    app: Flask
    engine: Engine
    users: TestUsers

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def person(self, user: Any) -> Person:
        client = self.app.test_client()
        sign_in_session(client, user)
        return Person(client, session_csrf_token(self.app, client))

    def audit(self, action: str, target: Any = None) -> int:
        stmt = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        if target is not None:
            stmt = stmt.where(AuditEvent.target_public_id == str(target.public_id))
        with self.session() as db:
            return db.scalar(stmt) or 0


@dataclass
class Person:
    client: FlaskClient
    csrf: str

    def get(self, url: str) -> Any:
        return self.client.get(url)

    def post(self, url: str, data: dict[str, Any] | None = None) -> Reply:
        response = self.client.post(url, data={**(data or {}), "csrf_token": self.csrf})
        return Reply(response.status_code, response.get_data(as_text=True),
                     response.headers.get("Location"))


@dataclass
class Reply:
    status: int
    body: str
    location: str | None = None


@dataclass
class Outcome:
    replies: list[Reply] = field(default_factory=list)

    @property
    def statuses(self) -> list[int]:
        return sorted(reply.status for reply in self.replies)

    def with_status(self, status: int) -> list[Reply]:
        return [reply for reply in self.replies if reply.status == status]


@pytest.fixture
def arena(race_database: str) -> Iterator[Arena]:
    engine = create_engine(race_database)
    with engine.begin() as connection:  # a clean slate for every race
        empty_every_table(connection)
    app = make_test_app(race_database, DB_POOL_SIZE=12, DB_MAX_OVERFLOW=8,
                        DB_POOL_TIMEOUT=RACE_TIMEOUT)
    with Session(engine, expire_on_commit=False) as setup:
        users = TestUsers.create(setup)
    try:
        yield Arena(app, engine, users)
    finally:
        get_db(app).session.remove()
        get_db(app).engine.dispose()
        engine.dispose()


def together(arena: Arena, calls: list[Callable[[], Reply]], *, gate: bool = True,
             first: int | None = None) -> Outcome:
    """Run ``calls`` in as many threads at once; every reply, in the order of ``calls``.

    ``first``: the index of the call whose write reaches the database first (the others flush
    once its flush is done, so they queue behind its row locks and index entries) — to play
    a race out both ways instead of as the scheduler likes. A call that raises fails the test
    with its exception (a 500 in testing mode raises)."""
    parties = len(calls)
    barrier = threading.Barrier(parties, timeout=GATE_TIMEOUT)
    first_flushed = threading.Event()
    local = threading.local()

    def at_first_flush(*_args: Any) -> None:
        if getattr(local, "waited", False):
            return
        local.waited = True
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass  # someone never flushes (refused before writing): go on, unordered
        if first is not None and local.index != first:
            first_flushed.wait(GATE_TIMEOUT)

    def after_flush(*_args: Any) -> None:
        if local.index == first:
            first_flushed.set()

    factory = get_db(arena.app).session.session_factory
    if gate:
        event.listen(factory, "before_flush", at_first_flush)
        event.listen(factory, "after_flush", after_flush)
    replies: list[Reply | None] = [None] * parties
    errors: list[BaseException] = []

    def run(index: int) -> None:
        local.index = index
        try:
            replies[index] = calls[index]()
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)
            barrier.abort()
        finally:
            if index == first:
                first_flushed.set()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(parties)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(RACE_TIMEOUT)
    finally:
        if gate:
            event.remove(factory, "before_flush", at_first_flush)
            event.remove(factory, "after_flush", after_flush)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    if errors:
        raise errors[0]
    outcome = Outcome([reply for reply in replies if reply is not None])
    assert not [r for r in outcome.replies if r.status >= 500], outcome.statuses
    return outcome
