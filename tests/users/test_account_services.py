"""Account administration rules: audit entries without secrets, and the superadmin guard rails."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_user
from tests.helpers import TestUsers
from webadmin.models import AuditEvent, UserRole
from webadmin.services import users as accounts


def events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_deactivate_and_reactivate_are_recorded_and_end_sessions(
        db_session: Session, users: TestUsers) -> None:
    singer = users.singer
    token = singer.session_token
    accounts.deactivate_user(db_session, users.superadmin, singer)
    assert not singer.is_active and singer.session_token != token
    accounts.reactivate_user(db_session, users.superadmin, singer)
    assert singer.is_active
    db_session.flush()
    [off] = events(db_session, "user.deactivated")
    [on] = events(db_session, "user.reactivated")
    assert off.actor_user_id == users.superadmin.id
    assert off.target_public_id == str(singer.public_id)
    assert off.changes == {"is_active": [True, False]}
    assert on.changes == {"is_active": [False, True]}


def test_password_set_is_recorded_without_the_password(db_session: Session,
                                                       users: TestUsers) -> None:
    old_hash, old_token = users.singer.password_hash, users.singer.session_token
    accounts.set_user_password(db_session, users.superadmin, users.singer, "a brand new secret!")
    db_session.flush()
    assert users.singer.password_hash != old_hash
    assert users.singer.session_token != old_token
    [event] = events(db_session, "user.password_set")
    assert "secret" not in repr((event.changes, event.details, event.target_label))
    assert users.singer.password_hash not in repr((event.changes, event.details))


def test_role_change_is_recorded(db_session: Session, users: TestUsers) -> None:
    assert accounts.change_role(db_session, users.superadmin, users.singer, UserRole.listener)
    assert not accounts.change_role(db_session, users.superadmin, users.singer, UserRole.listener)
    db_session.flush()
    [event] = events(db_session, "user.role_changed")
    assert event.changes == {"role": ["singer", "listener"]}


# The three ways to take a superadmin out of charge: (session, actor, target) -> None.
REMOVALS = {
    "deactivate": accounts.deactivate_user,
    "delete": accounts.soft_delete_user,
    "demote": lambda session, actor, target: accounts.change_role(
        session, actor, target, UserRole.singer),
}


@pytest.mark.parametrize("operation", REMOVALS)
def test_a_superadmin_cannot_remove_themselves(db_session: Session, users: TestUsers,
                                               operation: str) -> None:
    make_user(db_session, role=UserRole.superadmin)  # not the last one: only "self" is in play
    me = users.superadmin
    with pytest.raises(accounts.AccountGuardError, match="your own account"):
        REMOVALS[operation](db_session, me, me)
    assert me.is_active and me.role == UserRole.superadmin


@pytest.mark.parametrize("operation", REMOVALS)
def test_the_last_active_superadmin_cannot_be_removed(db_session: Session, users: TestUsers,
                                                      operation: str) -> None:
    # Another superadmin exists but is inactive: it doesn't count.
    make_user(db_session, role=UserRole.superadmin, is_active=False)
    last = users.superadmin
    with pytest.raises(accounts.AccountGuardError, match="last active superadmin"):
        REMOVALS[operation](db_session, None, last)
    assert last.is_active and last.role == UserRole.superadmin
    assert not events(db_session, "user.deactivated")


def test_a_second_superadmin_may_be_removed(db_session: Session, users: TestUsers) -> None:
    second = make_user(db_session, role=UserRole.superadmin)
    accounts.change_role(db_session, users.superadmin, second, UserRole.singer)
    assert second.role == UserRole.singer
