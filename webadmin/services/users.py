"""Account operations. They take a session and never commit: the caller owns the transaction."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..auth.passwords import hash_password
from ..models import User, UserRole, live
from ..models.user import new_session_token
from .audit import record


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_live_user_by_email(session: Session, email: str) -> User | None:
    return session.scalars(
        select(User).where(func.lower(User.email) == normalize_email(email),
                           live(User))).one_or_none()


def create_user(session: Session, *, email: str, display_name: str, password: str,
                role: UserRole, is_active: bool = True) -> User:
    user = User(email=normalize_email(email), display_name=display_name.strip(),
                password_hash=hash_password(password), role=role, is_active=is_active)
    session.add(user)
    session.flush()
    return user


def end_sessions(user: User, session: Session | None = None) -> None:
    """Every session of the user, every copy of its cookie, stops matching at its next request:
    the token sessions carry is replaced (sign-out, password change, deactivation, ...).

    With ``session`` the token is replaced at once by an UPDATE of its own, without a new row
    version: signing out is no edit of the account, so two presses at once, or one during a
    superadmin's edit, never conflict — the row is locked first, then the audit entry written."""
    if session is None:
        user.session_token = new_session_token()
        return
    session.execute(update(User).where(User.id == user.id)
                    .values(session_token=new_session_token()))


def set_password(user: User, password: str) -> None:
    """New password; every existing session of the user stops matching."""
    user.password_hash = hash_password(password)
    end_sessions(user)


def change_own_password(session: Session, user: User, proven_hash: str, password: str) -> bool:
    """Replace the password the user just proved (``proven_hash``) and end their other sessions,
    in one UPDATE that takes the row's lock first. False, changing nothing, when the password
    was changed meanwhile (the same form sent twice at once: the first one wins)."""
    result = session.execute(
        update(User).where(User.id == user.id, User.password_hash == proven_hash)
        .values(password_hash=hash_password(password), session_token=new_session_token(),
                version_id=User.version_id + 1)
        .execution_options(synchronize_session="fetch"))
    return result.rowcount == 1


def deactivate(user: User) -> None:
    user.is_active = False
    end_sessions(user)


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


# --- Account administration (the users section) -------------------------------------------
# Each operation checks its guard rails, changes the row and records one audit entry; none of
# them commits and none records a password or a hash.


class AccountGuardError(Exception):
    """An account operation that would lock the back office out (or hurt the actor)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _active_superadmin_ids(session: Session) -> list[int]:
    """Ids of live, active superadmins, locked on PostgreSQL so two demotions can't race past
    the last-superadmin check (SQLite serialises writers anyway)."""
    return list(session.scalars(
        select(User.id).where(User.role == UserRole.superadmin, User.is_active.is_(True),
                              live(User))
        .order_by(User.id).with_for_update()))


def _is_active_superadmin(user: User) -> bool:
    return user.role == UserRole.superadmin and user.is_active and user.deleted_at is None


def check_removal(session: Session, actor: User | None, user: User, *, verb: str) -> None:
    """Refuse to take ``user`` out of the active superadmins when it is the actor or the last.

    ``verb`` completes "You cannot … your own account" ("deactivate", "delete", "demote").
    """
    if actor is not None and actor.id == user.id:
        raise AccountGuardError(f"You cannot {verb} your own account.")
    if _is_active_superadmin(user):
        others = [uid for uid in _active_superadmin_ids(session) if uid != user.id]
        if not others:
            raise AccountGuardError(
                f"{user.display_name} is the last active superadmin; "
                "make someone else a superadmin first.")


def change_role(session: Session, actor: User | None, user: User, role: UserRole) -> bool:
    """Give ``user`` a new role; returns whether it changed."""
    if user.role == role:
        return False
    if user.role == UserRole.superadmin:
        check_removal(session, actor, user, verb="demote")
    before = user.role
    user.role = role
    # A role change ends the user's sessions: what they may do has changed.
    end_sessions(user)
    record(session, "user.role_changed", actor=actor, target=user,
           changes={"role": [before.value, role.value]})
    return True


def deactivate_user(session: Session, actor: User | None, user: User) -> None:
    if not user.is_active:
        return
    check_removal(session, actor, user, verb="deactivate")
    deactivate(user)
    record(session, "user.deactivated", actor=actor, target=user,
           changes={"is_active": [True, False]})


def reactivate_user(session: Session, actor: User | None, user: User) -> None:
    if user.is_active:
        return
    user.is_active = True
    record(session, "user.reactivated", actor=actor, target=user,
           changes={"is_active": [False, True]})


def set_user_password(session: Session, actor: User | None, user: User, password: str) -> None:
    """A superadmin sets someone's password: their sessions end; the audit says only that."""
    set_password(user, password)
    record(session, "user.password_set", actor=actor, target=user)


def soft_delete_user(session: Session, actor: User | None, user: User) -> None:
    """Guard rails only; the admin layer's write path stamps ``deleted_at`` and records it."""
    check_removal(session, actor, user, verb="delete")
    end_sessions(user)
