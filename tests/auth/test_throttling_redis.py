"""The throttling store shared through Redis: a lock made in one process holds in another.

Two apps stand for two gunicorn workers (or two hosts). The second is built after the first has
locked an account, with a storage of its own made from RATELIMIT_STORAGE_URI: a memory:// store
would start empty, so it can only see the lock through Redis. Keys are made
unique per run (a random client address and account), so parallel runs don't meet; the test
deletes its keys afterwards. Skipped only when no Redis answers on 127.0.0.1:6379 (the outage
test at the end needs no Redis).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from flask import Flask
from sqlalchemy import Connection

from tests.auth.support import REDIS_URI
from tests.conftest import make_test_app
from tests.helpers import (
    DEFAULT_PASSWORD,
    Browser,
    bind_session,
    free_port,
    rolled_back_transaction,
)
from webadmin.auth.throttling import account_key
from webadmin.db import get_db
from webadmin.models import UserRole
from webadmin.services.users import create_user

WRONG = "not the right password"


def make_worker(database_url: str) -> Flask:
    return make_test_app(database_url, RATELIMIT_STORAGE_URI=REDIS_URI, LOGIN_MAX_ATTEMPTS=2,
                         LOGIN_LOCK_SECONDS=60)


@pytest.fixture
def worker_factory(migrated_database: str, redis_client) -> Iterator:
    """Builds apps on one rolled-back transaction; the first gets an account of a unique email."""
    connections: list[Connection] = []
    with ExitStack() as stack:

        def build() -> Flask:
            app = make_worker(migrated_database)
            if not connections:  # the first app opens the shared, rolled-back transaction
                connections.append(stack.enter_context(rolled_back_transaction(app)))
            else:
                bind_session(app, connections[0])
                stack.callback(get_db(app).engine.dispose)
                stack.callback(get_db(app).session.remove)
            return app

        yield build


def make_account(app: Flask) -> str:
    email = f"redis-{secrets.token_hex(6)}@example.test"
    with app.app_context():
        session = get_db(app).session()
        create_user(session, email=email, display_name="Redis Test", password=DEFAULT_PASSWORD,
                    role=UserRole.singer)
        session.commit()
    return email


def browser_at(app: Flask, address: str) -> Browser:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return Browser(client)


def delete_keys(redis_client, *fragments: str) -> None:
    for key in redis_client.scan_iter(match="webadmin:*"):
        if any(fragment in key.decode() for fragment in fragments):
            redis_client.delete(key)


def test_a_lock_made_by_one_worker_holds_in_another(worker_factory, redis_client):
    first = worker_factory()
    email = make_account(first)
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    key_fragment = account_key(email)
    try:
        worker_one = browser_at(first, address)
        assert [worker_one.login(email, WRONG).status_code for _ in range(2)] == [200, 200]
        assert any(key_fragment in key.decode()
                   for key in redis_client.scan_iter(match="webadmin:*"))

        # A new worker with a storage of its own, another client address: still locked.
        second = worker_factory()
        response = browser_at(second, "10.255.255.254").login(email)
        assert response.status_code == 429
        assert "Too many failed sign-in attempts. Try again in" in response.get_data(
            as_text=True)
        assert 0 < int(response.headers["Retry-After"]) <= 60
    finally:
        delete_keys(redis_client, key_fragment, address)
    # Once its keys are gone from Redis the account signs in again: the store was the lock.
    assert browser_at(second, address).login(email).status_code == 302


@pytest.fixture
def unreachable_store(migrated_database: str) -> Iterator[Flask]:
    """An app whose RATELIMIT_STORAGE_URI points at a closed port."""
    closed_port = free_port()
    app = make_test_app(migrated_database, LOGIN_MAX_ATTEMPTS=2,
                        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed_port}/0")
    with rolled_back_transaction(app):
        yield app


def test_an_unreachable_store_falls_back_to_counting_in_the_process(unreachable_store):
    email = make_account(unreachable_store)
    browser = browser_at(unreachable_store, "10.9.9.9")
    assert [browser.login(email, WRONG).status_code for _ in range(2)] == [200, 200]
    assert browser.login(email).status_code == 429
    assert browser_at(unreachable_store, "10.9.9.8").login(
        "someone-else@example.test", WRONG).status_code == 200
