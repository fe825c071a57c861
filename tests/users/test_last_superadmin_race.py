"""Two superadmins demoting each other at the same moment must not leave nobody in charge.

The last-superadmin check locks the active superadmins' rows (SELECT … FOR UPDATE), so the
second check waits for the first transaction and then sees its result."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tests.helpers import default_password_hash
from webadmin.models import User, UserRole
from webadmin.services import users as accounts


@pytest.mark.postgres_only
def test_concurrent_demotions_keep_one_superadmin(committing_engine: Engine) -> None:
    with Session(committing_engine) as setup:
        for email in ("a@example.test", "b@example.test"):
            setup.add(User(email=email, display_name=email, role=UserRole.superadmin,
                           password_hash=default_password_hash()))
        setup.commit()

    def load(session: Session, email: str) -> User:
        return session.scalars(select(User).where(User.email == email)).one()

    with Session(committing_engine) as first, Session(committing_engine) as second:
        a1, b1 = load(first, "a@example.test"), load(first, "b@example.test")
        a2, b2 = load(second, "a@example.test"), load(second, "b@example.test")
        second.commit()  # end the read; the demotion below starts a fresh transaction

        accounts.change_role(first, a1, b1, UserRole.singer)  # A demotes B: allowed, locks
        first.flush()

        # B demotes A meanwhile: its check has to wait for A's transaction.
        second.execute(text("SET LOCAL lock_timeout = '200ms'"))
        with pytest.raises(OperationalError):
            accounts.change_role(second, b2, a2, UserRole.singer)
        second.rollback()

        first.commit()
        # Once A's demotion is committed, B's attempt sees A as the last superadmin.
        a2, b2 = load(second, "a@example.test"), load(second, "b@example.test")
        with pytest.raises(accounts.AccountGuardError, match="last active superadmin"):
            accounts.change_role(second, b2, a2, UserRole.singer)
        second.rollback()

    with Session(committing_engine) as check:
        roles = dict(check.execute(select(User.email, User.role)).all())
    assert roles == {"a@example.test": UserRole.superadmin, "b@example.test": UserRole.singer}
