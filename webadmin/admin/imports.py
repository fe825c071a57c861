"""The confirmation step of a checked import (song CSV, a locale's strings): the staged file
the confirmation names, or the answer when there is none (expired, applied, another kind) or
the user pressed Cancel. What is staged and how it is applied stays with each section."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request, url_for
from flask_login import current_user

from ..db import session as db_session
from ..services import staging
from .writes import committed_write


def confirmed_staged_import(token: str, belongs: Callable[[staging.StagedImport], bool],
                            back_endpoint: str) -> staging.StagedImport | Any:
    """The staged import ``token`` names, locked for this request (a second Confirm waits,
    then finds it gone), when it is the user's, fresh and ``belongs``; otherwise a redirect to
    ``back_endpoint`` saying why. Cancel discards it (nothing written) and redirects too."""
    session = db_session()
    staged = staging.load(session, token, current_user.id, lock=True)
    if staged is None or not belongs(staged):
        flash("This import has expired or was already applied; upload the file again.", "error")
        return redirect(url_for(back_endpoint))
    if request.form.get("cancel"):
        with committed_write():
            staging.discard(session, token)
        flash("Import canceled; nothing was written.", "info")
        return redirect(url_for(back_endpoint))
    return staged
