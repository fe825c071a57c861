"""The app's engine and its request-scoped session.

The app owns one engine and one ``scoped_session`` (kept in ``app.extensions``); the session is
removed at the end of every app context, so a request never sees another request's state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, scoped_session, sessionmaker

EXTENSION_KEY = "webadmin.db"


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
        return engine

    connect_args: dict[str, Any] = {"connect_timeout": config["DB_CONNECT_TIMEOUT"]}
    statement_timeout = config.get("DB_STATEMENT_TIMEOUT_MS") or 0
    if statement_timeout and make_url(url).get_backend_name() == "postgresql":
        connect_args["options"] = f"-c statement_timeout={int(statement_timeout)}"
    return create_engine(
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
        database.session.remove()

    return database


def get_db(app: Flask | None = None) -> Database:
    return (app or current_app).extensions[EXTENSION_KEY]


def session() -> Session:
    """The current request's session (created on first use, removed at teardown)."""
    return get_db().session()
