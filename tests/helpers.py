"""Helpers shared by the tests: migrations, a CSRF-aware client, standard accounts."""

from __future__ import annotations

import functools
import os
import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from alembic import command
from alembic.config import Config
from flask import Flask, g
from flask import session as flask_session
from flask.testing import FlaskClient
from flask_wtf.csrf import generate_csrf
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from webadmin import PROJECT_ROOT
from webadmin.auth.passwords import hash_password
from webadmin.auth.sessions import SIGNED_IN_AT
from webadmin.db import get_db
from webadmin.models import User, UserRole

DEFAULT_PASSWORD = "correct horse battery staple"  # noqa: S105 - test accounts only
CSRF_INPUT = re.compile(
    r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@functools.cache
def default_password_hash() -> str:
    """scrypt is slow on purpose; hash the shared test password once per run."""
    return hash_password(DEFAULT_PASSWORD)


def free_port() -> int:
    """A loopback TCP port nobody listens on right now (for servers the tests start, or to
    point a client at a closed port)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bind_session(app: Flask, connection: Connection) -> None:
    """The app's session joins ``connection``'s transaction; its commits become savepoints."""
    get_db(app).session.configure(bind=connection, join_transaction_mode="create_savepoint")


@contextmanager
def rolled_back_transaction(app: Flask, *, dispose: bool = True) -> Iterator[Connection]:
    """Run the app on one connection inside a transaction that is rolled back on exit, so
    whatever the app commits is invisible to the next test. More apps may join it with
    ``bind_session(other_app, connection)``."""
    database = get_db(app)
    connection = database.engine.connect()
    outer = connection.begin()
    bind_session(app, connection)
    try:
        yield connection
    finally:
        database.session.remove()
        if outer.is_active:
            outer.rollback()
        connection.close()
        if dispose:
            database.engine.dispose()


def alembic_config(url: str) -> Config:
    config = Config(os.path.join(PROJECT_ROOT, "alembic.ini"))
    config.set_main_option("script_location", os.path.join(PROJECT_ROOT, "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


def run_alembic(config: Config, verb: str, *args: Any) -> Any:
    return getattr(command, verb)(config, *args)


def reset_database(url: str) -> None:
    """Drop everything so the migrations start from an empty database."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database
        for suffix in ("", "-wal", "-shm"):
            if path and os.path.exists(path + suffix):
                os.remove(path + suffix)
        return
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def clear_audit_log(connection: Connection) -> None:
    """Empty the append-only ``audit_event`` between committing tests: the database-owner step
    of docs/AUDIT.md (switch the triggers off inside one transaction), never something the app
    can do."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
        connection.execute(text("DELETE FROM audit_event"))
        connection.execute(text("ALTER TABLE audit_event ENABLE TRIGGER USER"))
        return
    triggers = connection.execute(text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
        "AND tbl_name = 'audit_event'")).all()
    for name, _sql in triggers:
        connection.execute(text(f'DROP TRIGGER "{name}"'))
    connection.execute(text("DELETE FROM audit_event"))
    for _name, sql in triggers:
        connection.execute(text(sql))


def empty_every_table(connection: Connection) -> None:
    """Delete every row of every table (children first), the audit log included through its
    owner's step: for tests whose data is really committed (races, outages, a live server)."""
    from webadmin.models import Base

    for table in reversed(Base.metadata.sorted_tables):
        if table.name == "audit_event":
            clear_audit_log(connection)
        else:
            connection.execute(table.delete())


def csrf_token_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    if not match:
        raise AssertionError("no csrf_token input on the page")
    return match.group(1) or match.group(2)


@dataclass
class Browser:
    """Fills forms like a browser: GET the page, read its CSRF token, POST with it."""

    client: FlaskClient

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        return self.client.get(url, **kwargs)

    def token_for(self, page_url: str) -> str:
        response = self.client.get(page_url)
        assert response.status_code == 200, (page_url, response.status_code)
        return csrf_token_from(response.get_data(as_text=True))

    def submit(self, page_url: str, data: dict[str, Any] | None = None, *,
               action: str | None = None, **kwargs: Any) -> TestResponse:
        """POST ``data`` to ``action`` (default: the page itself) with the page's CSRF token."""
        payload = dict(data or {})
        payload["csrf_token"] = self.token_for(page_url)
        return self.client.post(action or page_url, data=payload, **kwargs)

    def login(self, email: str, password: str = DEFAULT_PASSWORD, **kwargs: Any) -> TestResponse:
        return self.submit("/login", {"email": email, "password": password}, **kwargs)

    def logout(self) -> TestResponse:
        return self.submit("/account/password", action="/logout")


@dataclass
class TestUsers:
    superadmin: User
    singer: User
    other_singer: User
    listener: User

    __test__ = False  # not a test class

    @classmethod
    def create(cls, session: Session) -> TestUsers:
        def make(email: str, name: str, role: UserRole) -> User:
            user = User(email=email, display_name=name, password_hash=default_password_hash(),
                        role=role)
            session.add(user)
            return user

        users = cls(
            superadmin=make("admin@example.test", "Ada Admin", UserRole.superadmin),
            singer=make("singer@example.test", "Sia Singer", UserRole.singer),
            other_singer=make("other@example.test", "Otto Other", UserRole.singer),
            listener=make("listener@example.test", "Lee Listener", UserRole.listener),
        )
        session.flush()
        session.commit()
        return users


def sign_in_session(client: FlaskClient, user: User) -> None:
    """Give ``client`` a signed-in session for ``user`` without the sign-in form (fast; no
    password hashing). The user loader still decides: an inactive, deleted or listener account
    stays anonymous, exactly as with a real session."""
    with client.session_transaction() as sess:
        sess["_user_id"] = user.session_token
        sess["_fresh"] = True
        sess[SIGNED_IN_AT] = int(time.time())  # the absolute lifetime starts now


def session_csrf_token(app: Flask, client: FlaskClient) -> str:
    """A valid CSRF token for ``client``'s session, without fetching a page."""
    field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    with app.test_request_context():
        g.pop(field, None)
        token = generate_csrf()
        raw = flask_session[field]
    with client.session_transaction() as sess:
        sess[field] = raw
    return token
