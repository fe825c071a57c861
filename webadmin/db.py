"""The app's engine and its request-scoped session.

The app owns one engine and one ``scoped_session`` (kept in ``app.extensions``); the session is
removed at the end of every app context, so a request never sees another request's state, and
removing it never raises (a dead connection is dropped instead).

Errors that mean "the database is not there right now" — a dropped or refused connection, a
terminated backend, a server shutting down, a busy or unreadable SQLite file — leave the engine
as ``DatabaseUnavailable`` rather than as the driver's error class. It is not a ``DBAPIError``,
so code that maps refusals (``except DBAPIError``: a unique key, a value out of range) to form
messages can never mistake an outage for bad input; webadmin/errors.py answers it with 503.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, Text, create_engine, event, func
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.orm import Session, scoped_session, sessionmaker

EXTENSION_KEY = "webadmin.db"
logger = logging.getLogger(__name__)

# SQLite primary result codes that mean the file can't be used right now, not a bad statement:
# PERM, BUSY, LOCKED, READONLY, IOERR, FULL, CANTOPEN.
SQLITE_UNAVAILABLE = frozenset({3, 5, 6, 8, 10, 13, 14})
# PostgreSQL SQLSTATEs of the same kind: connection exceptions (08…), insufficient resources
# (53…: too many connections, disk full), the server shutting down or starting (57P01-57P03),
# a statement timeout (57014), a read-only standby after a failover (25006), and transient
# conflicts that a retry resolves (deadlock 40P01, serialization failure 40001, lock timeout
# 55P03).
PG_UNAVAILABLE_CLASSES = frozenset({"08", "53"})
PG_UNAVAILABLE_STATES = frozenset({"57P01", "57P02", "57P03", "57014", "25006", "40P01",
                                   "40001", "55P03"})


class DatabaseUnavailable(sa_exc.SQLAlchemyError):
    """The database can't be used right now (answered with 503 and Retry-After)."""

    def __init__(self, message: str, orig: BaseException | None = None) -> None:
        super().__init__(message)
        self.orig = orig


def is_unavailable(error: BaseException, *, disconnect: bool = False) -> bool:
    """Does this driver error mean the database is unreachable or busy (rather than refusing a
    statement)? A DataError or IntegrityError never is."""
    if disconnect:
        return True
    sqlite_code = getattr(error, "sqlite_errorcode", None)
    if sqlite_code is not None:
        return (sqlite_code & 0xFF) in SQLITE_UNAVAILABLE
    state = getattr(error, "sqlstate", None)
    if state:
        return state[:2] in PG_UNAVAILABLE_CLASSES or state in PG_UNAVAILABLE_STATES
    # An OperationalError / InterfaceError without a server code: the client library failed
    # (connection refused, closed, broken).
    return True


def _raise_unavailable(context: ExceptionContext) -> None:
    """handle_error: re-raise connection-level failures as DatabaseUnavailable."""
    if context.is_pre_ping:  # the pool is testing a connection; it reconnects by itself
        return
    wrapped = context.sqlalchemy_exception
    if not context.is_disconnect and not isinstance(
            wrapped, sa_exc.OperationalError | sa_exc.InterfaceError):
        return  # IntegrityError, DataError, ProgrammingError …: a refused statement
    original = context.original_exception
    if is_unavailable(original, disconnect=context.is_disconnect):  # checks the driver's code
        raise unavailable(original)


def unavailable(original: BaseException) -> DatabaseUnavailable:
    """The DatabaseUnavailable for a driver error (its class and first line, no SQL)."""
    first_line = next(iter(str(original).strip().splitlines()), "")
    return DatabaseUnavailable(f"{type(original).__name__}: {first_line[:200]}", original)


@dataclass
class Database:
    engine: Engine
    session: scoped_session[Session]


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(config: dict[str, Any]) -> Engine:
    """Build the engine with pool settings for server databases and sane SQLite pragmas."""
    url = config["DATABASE_URL"]
    echo = bool(config.get("SQL_ECHO"))
    # Statement parameters (password hashes, session tokens, personal data) never reach a log
    # line or an exception message, even with SQL_ECHO on.
    if is_sqlite(url):
        engine = create_engine(url, echo=echo, hide_parameters=True,
                               connect_args={"timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling breaks SAVEPOINT; SQLAlchemy emits BEGIN instead.
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        event.listen(engine, "handle_error", _raise_unavailable)
        return engine

    connect_args: dict[str, Any] = {"connect_timeout": config["DB_CONNECT_TIMEOUT"]}
    if make_url(url).get_backend_name() == "postgresql":
        # No JIT: every statement here is a bounded OLTP read or write; JIT only starts for
        # plans the planner thinks expensive and then adds its compile time (3× on a filter
        # count it misjudged: BENCHMARKS.md, "Filter counts").
        options = ["-c jit=off"]
        statement_timeout = config.get("DB_STATEMENT_TIMEOUT_MS") or 0
        if statement_timeout:
            options.append(f"-c statement_timeout={int(statement_timeout)}")
        connect_args["options"] = " ".join(options)
    engine = create_engine(
        url,
        echo=echo,
        hide_parameters=True,
        pool_pre_ping=True,
        pool_size=config["DB_POOL_SIZE"],
        max_overflow=config["DB_MAX_OVERFLOW"],
        pool_recycle=config["DB_POOL_RECYCLE"],
        pool_timeout=config["DB_POOL_TIMEOUT"],
        connect_args=connect_args,
    )
    event.listen(engine, "handle_error", _raise_unavailable)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def init_app(app: Flask) -> Database:
    engine = make_engine(app.config)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    database = Database(engine=engine, session=scoped_session(factory))
    app.extensions[EXTENSION_KEY] = database

    @app.teardown_appcontext
    def remove_session(_exc: BaseException | None) -> None:
        release_session(database)

    return database


def release_session(database: Database) -> None:
    """End the current session; never raises.

    Closing rolls back, and the rollback fails when the connection died after the last
    statement. The response is complete by then (nothing was committed that the rollback could
    undo), so the connection is dropped from the pool and the thread's next request starts on a
    fresh session. Raising here would make gunicorn answer a bare 500 itself."""
    registry = database.session
    try:
        registry.remove()
        return
    except Exception as error:  # noqa: BLE001 - any failure here must not reach the client
        logger.warning("session could not be closed cleanly (%s); connection dropped",
                       type(error).__name__)
    try:
        if registry.registry.has():
            registry().invalidate()
    except Exception:  # noqa: BLE001,S110 - nothing more can be done for this connection
        pass
    registry.registry.clear()


def get_db(app: Flask | None = None) -> Database:
    return (app or current_app).extensions[EXTENSION_KEY]


def session() -> Session:
    """The current request's session (created on first use, removed at teardown)."""
    return get_db().session()


# --- the data snapshot ----------------------------------------------------------------------------
def snapshot_column(db_session: Session) -> Any:
    """A column naming the committed data a statement sees, to add to the request's first
    statement (the user loader's), or None where the database has no such name (SQLite).

    PostgreSQL's ``pg_current_snapshot()`` (xmin:xmax:ids in progress) fixes exactly which
    transactions' rows are visible: two statements with equal snapshots see the same rows in
    every table, and any commit anywhere changes it. Read before anything else the request reads,
    it is a version that what the request reads afterwards is at least as new as
    (webadmin/admin/listcache.py)."""
    if db_session.get_bind().dialect.name != "postgresql":
        return None
    return func.pg_current_snapshot().cast(Text)


def remember_snapshot(value: str | None) -> None:
    g.data_snapshot = value


def request_snapshot() -> str | None:
    """The snapshot this request's first statement saw (None: unknown, or SQLite)."""
    return g.get("data_snapshot")
