"""Account operations. They take a session and never commit: the caller owns the transaction."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..auth.passwords import hash_password
from ..models import User, UserRole
from ..models.user import new_session_token


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_live_user_by_email(session: Session, email: str) -> User | None:
    return session.scalars(
        select(User).where(func.lower(User.email) == normalize_email(email),
                           User.deleted_at.is_(None))).one_or_none()


def create_user(session: Session, *, email: str, display_name: str, password: str,
                role: UserRole, is_active: bool = True) -> User:
    user = User(email=normalize_email(email), display_name=display_name.strip(),
                password_hash=hash_password(password), role=role, is_active=is_active)
    session.add(user)
    session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """New password; every existing session of the user stops matching."""
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()


def deactivate(user: User) -> None:
    user.is_active = False
    user.session_token = new_session_token()


def ensure_superadmin(session: Session, *, email: str, password: str,
                      display_name: str = "Administrator") -> tuple[User, bool]:
    """Create the superadmin, or reset its password and role if the email exists.

    Returns the user and whether it was created.
    """
    user = find_live_user_by_email(session, email)
    if user is None:
        return create_user(session, email=email, display_name=display_name, password=password,
                           role=UserRole.superadmin), True
    user.role = UserRole.superadmin
    user.is_active = True
    set_password(user, password)
    session.flush()
    return user, False
