"""Sessions that really end.

The session is a signed cookie holding the account's ``session_token`` (see loader.py), so
whoever holds a copy of the cookie holds the session. Three things bound it:

- sign-out replaces the account's token: every copy of every session cookie of the account stops
  matching (``end_sessions``); "Sign out everywhere else" does the same and hands the new token to
  this browser only;
- the idle lifetime (``SESSION_LIFETIME_MINUTES``): Flask refuses a cookie signed longer ago than
  that, and re-signs it at each use;
- the absolute lifetime (``SESSION_ABSOLUTE_HOURS``): the sign-in time is signed into the cookie
  and kept by every re-signing, so using a session — or a stolen copy — never extends it past
  that many hours after the sign-in. The cookie's own expiry is capped at the same moment.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from flask import Flask, flash, g, session
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask_login import login_user

from ..models import User

SIGNED_IN_AT = "signed_in_at"
HOUR = 3600


def _absolute_seconds(app: Flask) -> int:
    return int(app.config["SESSION_ABSOLUTE_HOURS"]) * HOUR


def start_session(user: User) -> None:
    """A fresh session for the user: nothing from before sign-in survives, CSRF token included;
    its absolute lifetime starts now."""
    session.clear()
    g.pop("csrf_token", None)
    session.permanent = True
    session[SIGNED_IN_AT] = int(time.time())
    login_user(user)


def keep_this_session(user: User) -> None:
    """After the account's token was replaced: this browser carries the new one. The sign-in
    time is untouched, so the absolute deadline stays where it was."""
    login_user(user)


def deadline(app: Flask, data: SessionMixin) -> float | None:
    """When the session ``data`` ends at the latest (None: it holds no sign-in time)."""
    signed_in_at = data.get(SIGNED_IN_AT)
    if not isinstance(signed_in_at, int | float):
        return None
    return float(signed_in_at) + _absolute_seconds(app)


def outlived(app: Flask) -> bool:
    """This request's session is past its absolute lifetime (or never had one: a session made
    before the lifetime existed counts as ended)."""
    ends = deadline(app, session)
    return ends is None or time.time() >= ends


def end_outlived_session(app: Flask) -> None:
    """Forget the session and say why on the sign-in page."""
    session.clear()
    hours = app.config["SESSION_ABSOLUTE_HOURS"]
    flash(f"Your session has ended. Sessions last at most {hours} hours; please sign in again.",
          "info")


class BoundedCookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions whose cookie expires at the absolute deadline at the
    latest (the server refuses it then anyway; the browser needn't keep it longer)."""

    def get_expiration_time(self, app: Flask, session: SessionMixin) -> datetime | None:
        if not session.permanent:
            return None
        expires = time.time() + app.permanent_session_lifetime.total_seconds()
        ends = deadline(app, session)
        return datetime.fromtimestamp(expires if ends is None else min(expires, ends), tz=UTC)


def init_app(app: Flask) -> None:
    app.session_interface = BoundedCookieSessions()
