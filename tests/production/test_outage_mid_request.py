"""The database failing in the middle of a request: 503 with Retry-After wherever it happens
(a read, the flush of a write, the commit, the user loader, the teardown), never a 500 or a 422;
and a failed statement never breaks the 500 page (it renders in the layout).

Connection losses are the driver's own errors raised where the driver would raise them (a query,
COMMIT, ROLLBACK), so they travel SQLAlchemy's real error path; on PostgreSQL one test also
terminates the request's own backend for real.
"""

from __future__ import annotations

import html
import sqlite3
from contextlib import contextmanager

import psycopg
import pytest
from flask import Flask
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import make_url

from tests.auth.test_csrf_everywhere import fingerprint
from tests.conftest import make_test_app
from tests.helpers import TestUsers, session_csrf_token, sign_in_session
from webadmin.auth.permissions import allow, public
from webadmin.db import get_db, session
from webadmin.models import Genre, User, UserRole


@pytest.fixture
def app_config():
    return {"PROPAGATE_EXCEPTIONS": False}


def connection_lost(backend: str) -> Exception:
    """What the driver raises when the server is gone."""
    if backend == "postgresql":
        return psycopg.OperationalError("consuming input failed: server closed the connection "
                                        "unexpectedly")
    error = sqlite3.OperationalError("disk I/O error")
    error.sqlite_errorcode = 10  # SQLITE_IOERR
    return error


@contextmanager
def failing_statements(app: Flask, backend: str, starts_with: str):
    """Statements beginning with ``starts_with`` fail as if the connection had dropped."""
    engine = get_db(app).engine

    def before(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith(starts_with):
            raise connection_lost(backend)
        return None

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", before)


def assert_friendly_503(response) -> None:
    assert response.status_code == 503, response.status_code
    assert int(response.headers["Retry-After"]) > 0
    body = html.unescape(response.get_data(as_text=True))
    assert "Temporarily unavailable" in body and '<header class="topbar">' in body
    assert "Traceback" not in body and "too long" not in body


def admin_client(app: Flask, users: TestUsers):
    client = app.test_client()
    sign_in_session(client, users.superadmin)
    return client, session_csrf_token(app, client)


def test_a_write_whose_flush_loses_the_connection_is_503_not_422(app, users, backend):
    client, token = admin_client(app, users)
    with app.app_context():
        before = fingerprint(get_db(app).session())
    with failing_statements(app, backend, "INSERT"):
        response = client.post("/genres/new", data={"name": "Lost", "slug": "",
                                                    "description": "", "csrf_token": token})
    assert_friendly_503(response)
    with app.app_context():
        assert fingerprint(get_db(app).session()) == before
    # The same worker serves the retry normally.
    again = client.post("/genres/new", data={"name": "Lost", "slug": "", "description": "",
                                             "csrf_token": token})
    assert again.status_code == 302


def test_a_read_that_loses_the_connection_is_503(app, users, backend):
    client, _token = admin_client(app, users)
    with failing_statements(app, backend, "SELECT GENRE"):
        assert_friendly_503(client.get("/genres/"))
    assert client.get("/genres/").status_code == 200


def test_the_user_loader_losing_the_connection_is_503(app, users, backend):
    client, _token = admin_client(app, users)
    engine = get_db(app).engine

    def before(_conn, _cursor, statement, *_args):
        if "FROM user_account" in statement and "session_token" in statement:
            raise connection_lost(backend)

    event.listen(engine, "before_cursor_execute", before)
    try:
        response = client.get("/genres/")
    finally:
        event.remove(engine, "before_cursor_execute", before)
    assert_friendly_503(response)
    assert "Sign out" not in response.get_data(as_text=True)  # shown as to a visitor


def test_a_data_error_is_not_mistaken_for_an_outage(app, users, backend):
    """A value the database refuses (here: out of range) is the user's problem, not a 503."""
    client, token = admin_client(app, users)
    response = client.post("/plans/new", data={
        "code": "huge", "name": "Huge", "price": "1" * 30, "csrf_token": token})
    assert response.status_code in (422, 200), response.status_code


# --- finding 6: the 500 page after a failed statement ------------------------------------------
def add_failing_flush_route(app: Flask) -> None:
    @app.get("/_test/failed-flush")
    @allow(UserRole.superadmin)
    def failed_flush():
        session().add(Genre(name=None, slug="no-name"))  # NOT NULL: the flush fails
        session().flush()
        return "unreachable"


def test_the_500_page_renders_in_the_layout_after_a_failed_flush(app, users):
    add_failing_flush_route(app)
    client, _token = admin_client(app, users)
    response = client.get("/_test/failed-flush")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert '<header class="topbar">' in body and "Something went wrong" in body
    assert users.superadmin.display_name in body  # the signed-in layout, not the bare fallback
    assert "Traceback" not in body
    assert client.get("/genres/").status_code == 200


# --- commit and teardown: a real app committing to the test database --------------------------
@pytest.fixture
def committing_app(committing_engine, migrated_database):
    app = make_test_app(migrated_database, PROPAGATE_EXCEPTIONS=False)

    @app.get("/_test/read-then-lose")
    @public
    def read_then_lose():
        """A read-only page whose connection dies after its last query: the page is complete,
        only the teardown's rollback can fail."""
        session().scalars(select(User.id).limit(1)).all()
        app.config["_lose"](session().connection().connection.dbapi_connection)
        return "complete"

    with app.app_context():
        users = TestUsers.create(get_db(app).session())
    yield app, users
    get_db(app).engine.dispose()


def terminate(dbapi_connection, url: str) -> None:
    """pg_terminate_backend of this very connection, filtered to our own database."""
    raw = getattr(dbapi_connection, "dbapi_connection", dbapi_connection)  # unwrap the pool's
    pid = raw.info.backend_pid
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            assert connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE pid = :pid AND datname = :db"),
                {"pid": pid, "db": make_url(url).database}).scalar()
    finally:
        engine.dispose()


def losing(backend: str, url: str):
    if backend == "postgresql":
        return lambda dbapi_connection: terminate(dbapi_connection, url)

    def fail_next_rollback(_dbapi_connection):
        raise connection_lost(backend)
    return fail_next_rollback


def test_a_commit_that_loses_the_connection_is_503(committing_app, backend, monkeypatch,
                                                   migrated_database):
    app, users = committing_app
    client, token = admin_client(app, users)
    dialect = get_db(app).engine.dialect
    real_commit = dialect.do_commit

    def commit_on_a_dead_connection(dbapi_connection):
        if backend == "postgresql":
            terminate(dbapi_connection, migrated_database)
            return real_commit(dbapi_connection)
        dbapi_connection.rollback()  # the transaction is lost with the connection
        raise connection_lost(backend)

    monkeypatch.setattr(dialect, "do_commit", commit_on_a_dead_connection)
    response = client.post("/genres/new", data={"name": "Unsure", "slug": "",
                                                "description": "", "csrf_token": token})
    monkeypatch.undo()
    assert_friendly_503(response)
    with app.app_context():
        assert get_db(app).session().scalars(
            select(Genre).where(Genre.name == "Unsure")).all() == []
    assert client.get("/genres/").status_code == 200


def test_the_teardown_never_raises(committing_app, backend, monkeypatch, migrated_database):
    app, _users = committing_app
    client = app.test_client()
    if backend == "postgresql":
        app.config["_lose"] = losing(backend, migrated_database)
    else:
        app.config["_lose"] = lambda _c: None
        dialect = get_db(app).engine.dialect

        def rollback_fails(_dbapi_connection):
            raise connection_lost(backend)
        monkeypatch.setattr(dialect, "do_rollback", rollback_fails)
    response = client.get("/_test/read-then-lose")
    monkeypatch.undo()
    assert response.status_code == 200 and response.get_data(as_text=True) == "complete"
    app.config["_lose"] = lambda _c: None
    for _ in range(3):  # the same thread's next requests get a fresh session and connection
        assert client.get("/_test/read-then-lose").status_code == 200


def _sqlite_error(message: str, code: int) -> sqlite3.Error:
    error = sqlite3.OperationalError(message)
    error.sqlite_errorcode = code
    return error


def _pg_error(sqlstate: str) -> psycopg.Error:
    return psycopg.errors.lookup(sqlstate)("from the server")


@pytest.mark.parametrize(("error", "unavailable"), [
    (psycopg.OperationalError("connection refused"), True),      # client side, no SQLSTATE
    (_pg_error("57P01"), True),                                  # admin shutdown (terminated)
    (_pg_error("08006"), True),                                  # connection failure
    (_pg_error("53300"), True),                                  # too many connections
    (_pg_error("57014"), True),                                  # statement timeout
    (_pg_error("40P01"), True),                                  # deadlock: retry later
    (_pg_error("22001"), False),                                 # value too long: DataError
    (_pg_error("22003"), False),                                 # numeric out of range
    (_pg_error("23505"), False),                                 # unique violation
    (_pg_error("42P01"), False),                                 # undefined table: a bug
    (_sqlite_error("database is locked", 5), True),
    (_sqlite_error("unable to open database file", 14), True),
    (_sqlite_error("disk I/O error", 10 | (3 << 8)), True),      # extended IOERR_WRITE
    (_sqlite_error("no such table: x", 1), False),               # a bug, not an outage
])
def test_what_counts_as_the_database_being_unavailable(error, unavailable):
    from webadmin.db import is_unavailable

    assert is_unavailable(error) is unavailable


def test_a_statement_the_database_refuses_is_a_500_not_a_503(app, users):
    """A broken query is a bug (500 in the layout), never passed off as an outage."""
    @app.get("/_test/broken-query")
    @allow(UserRole.superadmin)
    def broken_query():
        session().execute(text("SELECT * FROM no_such_table"))
        return "unreachable"

    client, _token = admin_client(app, users)
    response = client.get("/_test/broken-query")
    assert response.status_code == 500
    assert '<header class="topbar">' in response.get_data(as_text=True)
