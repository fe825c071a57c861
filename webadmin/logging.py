"""Request ids and log records that say which request they belong to.

Every request gets an id: the proxy's ``X-Request-ID`` when it is sane (a client can't inject log
lines or huge values through it), a fresh one otherwise. A WSGI middleware picks it and echoes it
in the response header, so every response carries it — errors, static files, and responses whose
``after_request`` hooks failed. ``g.request_id`` holds it for the app (the audit log reads it), and
a logging filter stamps it, with the client address, method and path, on every record logged
during the request. ``LOG_FORMAT=json`` writes one JSON object per line.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from flask import Flask, g, has_request_context, request, request_started
from flask.logging import default_handler

REQUEST_ID_HEADER = "X-Request-ID"
ENVIRON_KEY = "webadmin.request_id"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Attributes the filter adds to every record ("-" outside a request).
CONTEXT_FIELDS = ("request_id", "client_ip", "method", "path")
TEXT_FORMAT = ("%(asctime)s %(levelname)s [%(name)s] %(message)s "
               "request_id=%(request_id)s client=%(client_ip)s")
HANDLER_MARK = "_webadmin_handler"
# Chatty at INFO on every /readyz (alembic reads the schema revision): warnings only, unless
# LOG_LEVEL=debug.
QUIET_LOGGERS = ("alembic",)


def new_request_id() -> str:
    return uuid.uuid4().hex


def pick_request_id(incoming: str | None) -> str:
    """The proxy's id when it is at most 64 characters of [A-Za-z0-9._-], a new one otherwise."""
    if incoming and SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return new_request_id()


class RequestIdMiddleware:
    """Chooses the request id before Flask sees the request and echoes it on every response."""

    def __init__(self, wsgi_app: Any) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request_id = pick_request_id(environ.get("HTTP_X_REQUEST_ID"))
        environ[ENVIRON_KEY] = request_id

        def start_response_with_id(status: str, headers: list[tuple[str, str]],
                                   exc_info: Any = None) -> Any:
            headers = [(name, value) for name, value in headers
                       if name.lower() != REQUEST_ID_HEADER.lower()]
            headers.append((REQUEST_ID_HEADER, request_id))
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start_response_with_id)


def current_request_id() -> str | None:
    """The id of the request being handled (None outside a request)."""
    if not has_request_context():
        return None
    environ = request.environ
    if ENVIRON_KEY not in environ:  # the app was called without the middleware (a bare WSGI call)
        environ[ENVIRON_KEY] = new_request_id()
    return environ[ENVIRON_KEY]


def assign_request_id(_sender: Flask, **_extra: Any) -> None:
    """``request_started``: sent before every before_request hook (the permission check, the
    user loader), so the id is in ``g`` before anything can log or audit."""
    g.request_id = current_request_id()


class RequestContextFilter(logging.Filter):
    """Stamps request id, client address, method and path on a record (``-`` outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            values = {"request_id": current_request_id(), "client_ip": request.remote_addr,
                      "method": request.method, "path": request.path}
        else:
            values = {}
        for name in CONTEXT_FIELDS:
            if getattr(record, name, None) is None:
                setattr(record, name, values.get(name) or "-")
        return True


def _access_fields(atoms: Mapping[str, Any]) -> dict[str, Any]:
    """Fields of a gunicorn access record (its args are the access-log atoms)."""
    def atom(key: str) -> Any:
        value = atoms.get(key)
        return None if value in (None, "-") else value

    status = atom("s")
    return {"request_id": atom("{x-request-id}o"), "client_ip": atom("h"), "method": atom("m"),
            "path": atom("U"), "status": int(status) if str(status).isdigit() else status,
            "duration_ms": atom("M"), "bytes": atom("B"), "user_agent": atom("a")}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, request_id, client_ip, method, path,
    and status where known (gunicorn's access records)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
            entry.update(_access_fields(record.args))
        for name in (*CONTEXT_FIELDS, "status"):
            value = getattr(record, name, None)
            if value not in (None, "-") and entry.get(name) is None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps({key: value for key, value in entry.items() if value is not None},
                          default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        for name in CONTEXT_FIELDS:  # records that did not pass the filter (other handlers)
            if not hasattr(record, name):
                setattr(record, name, "-")
        return super().format(record)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (gunicorn and pytest swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def make_formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else TextFormatter()


def configure_logging(app: Flask) -> logging.Handler:
    """One handler on the root logger (replacing ours from an earlier app), level from LOG_LEVEL."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, HANDLER_MARK, False):
            root.removeHandler(handler)
    handler = StderrHandler()
    setattr(handler, HANDLER_MARK, True)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(make_formatter(app.config["LOG_FORMAT"]))
    root.addHandler(handler)
    level = app.config["LOG_LEVEL"].upper()
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(level if level == "DEBUG" else logging.WARNING)
    app.logger.removeHandler(default_handler)  # records reach ours through the root logger
    return handler


def init_app(app: Flask) -> None:
    configure_logging(app)
    app.wsgi_app = RequestIdMiddleware(app.wsgi_app)  # type: ignore[method-assign]
    request_started.connect(assign_request_id, app)
