"""The request guard: text the database cannot store is refused before any view sees it.

Query-string parameters (names and values), form field names and uploaded file names that hold a
NUL byte or a lone surrogate get a 400 page (or JSON) naming the parameter, so nothing downstream
— a search, a filter, a lookup — can fail on them in the database driver. Form field *values* are
the forms' business: the base form (``AdminForm``) and the sign-in forms answer with a message
next to the field and keep the rest of the input. The check itself is
``webadmin.admin.text.unstorable_reason``; the JSON decoders (list cursors, JSON config values,
imported localization files) run it on what they decode.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Flask, abort, request

from .admin.text import unstorable_reason

MAX_NAME_SHOWN = 40


def _request_texts() -> Iterator[tuple[str, str, str]]:
    """(kind, name, value) of every piece of text the request carries to the views."""
    for name, value in request.args.items(multi=True):
        yield "query parameter", name, value
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        for name in request.form:
            yield "field", name, ""
        for name, upload in request.files.items(multi=True):
            yield "file", name, upload.filename or ""


def refuse_unstorable_input() -> None:
    """before_request: 400 when any request text holds what no column can store."""
    for kind, raw_name, value in _request_texts():
        name = raw_name or ""  # a multipart part can come without a usable name
        reason = unstorable_reason(name) or unstorable_reason(value)
        if reason is None:
            continue
        if unstorable_reason(name):
            where = f"A {kind} name"
        elif kind == "file":
            where = f"The name of the file sent as “{name[:MAX_NAME_SHOWN]}”"
        else:
            where = f"The {kind} “{name[:MAX_NAME_SHOWN]}”"
        abort(400, description=f"{where} contains {reason}, which can't be stored. Remove it "
                               "and send again.")


def init_app(app: Flask) -> None:
    app.before_request(refuse_unstorable_input)
