"""Error pages, and answering 503 instead of 500 while the database is unreachable.

Every error is a page in the layout (or JSON for clients that accept only JSON) with the request
id as a reference, never a stack trace. A database outage — a refused or dropped connection, a
terminated backend, an exhausted pool — can surface anywhere in a request, including in
Flask-Login's user loader before the view runs. Wherever it does, the session is rolled back and
removed (the next request starts on a fresh connection from the pool, so the same worker recovers
by itself once the database is back) and the client gets 503 with ``Retry-After``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from markupsafe import escape
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

from .db import DatabaseUnavailable, get_db, release_session
from .logging import current_request_id

# What an unreachable database raises: the driver's connection-level errors (re-raised by the
# engine as DatabaseUnavailable, see webadmin/db.py), a failed pool checkout, a full pool.
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    DatabaseUnavailable,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,
)
RETRY_AFTER_SECONDS = 10
RETRY_LATER = {"Retry-After": str(RETRY_AFTER_SECONDS)}  # on every 503
# Bodies over MAX_CONTENT_LENGTH but under this are read to the end before the 413 is sent (the
# nginx config of deploy/ lets at most 4 MB through).
MAX_SWALLOW_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class ErrorText:
    title: str
    message: str


ERROR_TEXTS: dict[int, ErrorText] = {
    400: ErrorText("Bad request",
                   "The request could not be understood. If you were sending a form, reload the "
                   "page and try again."),
    403: ErrorText("Not allowed",
                   "Your account does not have access to this page."),
    404: ErrorText("Page not found",
                   "There is nothing at this address. It may have been moved or deleted."),
    405: ErrorText("Method not allowed",
                   "This page can't be used that way. Go back and use the page's own buttons."),
    413: ErrorText("Too large",
                   "What you sent is larger than the server accepts."),
    429: ErrorText("Too many requests",
                   "You have made too many requests in a short time. Wait a moment, then try "
                   "again."),
    500: ErrorText("Something went wrong",
                   "An unexpected error stopped this request. It has been logged; please try "
                   "again, and tell an administrator if it keeps happening."),
    503: ErrorText("Temporarily unavailable",
                   "The back office's database is not answering right now. Nothing you did "
                   "caused this and nothing was saved; please try again in a few seconds."),
}


def wants_json() -> bool:
    """Only clients that accept JSON and not HTML get JSON; browsers and curl get the page."""
    accept = request.accept_mimetypes
    return accept.accept_json and not accept.accept_html


def _limit_text() -> str:
    # The request's own limit: upload routes raise it (webadmin/media) above the global one.
    limit = request.max_content_length
    if not limit:
        return ""
    if limit >= 1024 * 1024:
        return f"The limit is {limit / (1024 * 1024):g} MB."
    return f"The limit is {limit // 1024} KB."


def error_response(status: int, *, detail: str | None = None,
                   headers: dict[str, str] | None = None) -> ResponseReturnValue:
    _roll_back_for_the_error_page()
    text = ERROR_TEXTS.get(status) or ErrorText(
        HTTP_STATUS_CODES.get(status, "Error"), "The request could not be completed.")
    if status == 413:
        detail = _limit_text()
    context = {"status": status, "title": text.title, "message": text.message,
               "detail": detail, "request_id": current_request_id()}
    all_headers = {"Cache-Control": "no-store", **(headers or {})}
    if wants_json():
        body = {key: value for key, value in context.items() if value is not None}
        return jsonify(error=body), status, all_headers
    return _render_page(context), status, all_headers


def _roll_back_for_the_error_page() -> None:
    """An error answer never commits; rolling back first also makes the session usable again
    after a failed statement or flush, so the layout (which may load the signed-in user) can
    render. If even the rollback fails the database is gone: continue as for an outage."""
    try:
        get_db().session.rollback()
    except Exception as error:  # noqa: BLE001 - the page must still be answered
        forget_database_state()
        if isinstance(error, DATABASE_UNAVAILABLE):
            log_database_unavailable(error)


def _render_page(context: dict) -> str:
    """The page in the layout; a bare page if even the layout fails (so never a stack trace)."""
    for attempt in (1, 2):
        try:
            return render_template(
                [f"errors/{context['status']}.html", "errors/error.html"], error=context,
                page_title=context["title"])
        except DATABASE_UNAVAILABLE as error:
            # The layout asked Flask-Login who the visitor is and the database is gone: show the
            # page as to a visitor who isn't signed in.
            forget_database_state()
            log_database_unavailable(error)
            if attempt == 2:
                break
        except Exception:  # the error page itself must not fail
            current_app.logger.exception("error page %s could not be rendered", context["status"])
            break
    return (f"<!doctype html><title>{escape(context['title'])}</title>"
            f"<h1>{escape(context['title'])}</h1><p>{escape(context['message'])}</p>"
            f"<p>Reference: {escape(context['request_id'] or '')}</p>")


def _custom_description(error: HTTPException) -> str | None:
    """A description the code passed to abort() (werkzeug's stock texts add nothing)."""
    description = error.description
    if not description or description == type(error).description:
        return None
    return str(description)


def swallow_request_body() -> None:
    """Read and drop a too-large body (up to MAX_SWALLOW_BYTES) before answering 413.

    Answering while the sender is still sending, then closing, makes its next write fail: nginx
    logs a broken pipe and shows the client a 502 instead of our page. Reading what was sent
    first (Tomcat's "maxSwallowSize") lets the 413 arrive. Bodies beyond the cap are not read;
    their connection is simply closed.
    """
    if (request.content_length or 0) > MAX_SWALLOW_BYTES:
        return
    stream = request.environ.get("wsgi.input")
    read = 0
    try:
        while stream is not None and read <= MAX_SWALLOW_BYTES:
            chunk = stream.read(64 * 1024)
            if not chunk:
                break
            read += len(chunk)
    except (OSError, ValueError):  # the client went away: nothing left to protect
        pass


def handle_http_error(error: HTTPException) -> ResponseReturnValue:
    if error.code is None or error.code < 400:
        return error
    if error.code == 413:
        swallow_request_body()
    headers = {name: value for name, value in error.get_headers(request.environ)
               if name.lower() != "content-type"}
    return error_response(error.code, detail=_custom_description(error), headers=headers)


def handle_internal_error(error: InternalServerError) -> ResponseReturnValue:
    """Unhandled exceptions (already logged by Flask with their traceback)."""
    original = getattr(error, "original_exception", None)
    if isinstance(original, DATABASE_UNAVAILABLE):
        return handle_database_unavailable(original)
    return error_response(500)


def describe_database_error(error: BaseException) -> str:
    """Class and first line of the driver's message — never the SQL or its parameters."""
    cause = getattr(error, "orig", None) or error
    first_line = next(iter(str(cause).strip().splitlines()), "")
    first_line = first_line.split(" (Background on this error", 1)[0]
    return f"{type(cause).__name__}: {first_line[:200]}"


def forget_database_state() -> None:
    """Drop the request's session and stop asking the database who the user is."""
    release_session(get_db())
    login_manager = getattr(current_app, "login_manager", None)
    if login_manager is not None:
        # Flask-Login caches the user in g._login_user; a cached anonymous user keeps the layout
        # and the after_request hooks from calling the user loader against the dead database.
        g._login_user = login_manager.anonymous_user()


def log_database_unavailable(error: Exception) -> None:
    current_app.logger.warning("database unavailable: %s", describe_database_error(error))


def handle_database_unavailable(error: Exception) -> ResponseReturnValue:
    forget_database_state()
    log_database_unavailable(error)
    return error_response(503, headers=RETRY_LATER)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_internal_error)
    for error_class in DATABASE_UNAVAILABLE:
        app.register_error_handler(error_class, handle_database_unavailable)
