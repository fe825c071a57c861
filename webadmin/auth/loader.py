"""Who may hold a back-office session, and how a session finds its user again.

The session carries the user's ``session_token`` (``User.get_id``), not the primary key. Sign-out,
a password change or a deactivation rotates the token, so every other session stops matching at
its next request and the visitor becomes anonymous (sent to the sign-in page). A session past its
absolute lifetime finds no user either (sessions.py).
"""

from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy import select

from ..db import remember_snapshot, session, snapshot_column
from ..extensions import login_manager
from ..models import User, UserRole, live
from . import sessions

BACK_OFFICE_ROLES = frozenset({UserRole.superadmin, UserRole.singer})
MAX_TOKEN_LENGTH = 64


def may_use_back_office(user: User) -> bool:
    """Live, active superadmins and singers; listeners never."""
    return user.deleted_at is None and bool(user.is_active) and user.role in BACK_OFFICE_ROLES


def load_user(token: str) -> User | None:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    db = session()
    stmt = select(User).where(User.session_token == token, live(User))
    snapshot = snapshot_column(db)  # read with the user: no round trip of its own
    if snapshot is None:
        user = db.scalars(stmt).one_or_none()
    else:
        row = db.execute(stmt.add_columns(snapshot)).one_or_none()
        user = None if row is None else row[0]
        remember_snapshot(None if row is None else row[1])
    if user is None or not may_use_back_office(user):
        return None
    if sessions.outlived(current_app):
        sessions.end_outlived_session(current_app)
        return None
    return user


def init_app(app: Flask) -> None:
    sessions.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    # "basic": a session copied to another browser/address is marked non-fresh; we never rely on
    # freshness (no remember-me), the rotating token is what ends sessions.
    login_manager.session_protection = "basic"
