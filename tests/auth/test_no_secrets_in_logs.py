"""Must-show 6: no password, hash, session token or secret key in any log record or audit entry.

Everything is logged at DEBUG (SQL echo included) while a user signs in, fails to sign in,
changes the password and signs out; then every captured record and every audit row is searched.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from tests.conftest import TEST_SECRET
from tests.helpers import DEFAULT_PASSWORD, Browser
from webadmin.models import AuditEvent, User

NEW_PASSWORD = "a fresh passphrase for logs"
WRONG_PASSWORD = "a wrong passphrase for logs"
LOGGERS = ("", "webadmin", "werkzeug", "gunicorn.error", "gunicorn.access",
           "sqlalchemy.engine", "sqlalchemy.pool")


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"SQL_ECHO": True}


@pytest.fixture
def everything_logged(caplog):
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def record_texts(caplog) -> list[str]:
    texts = []
    for record in caplog.records:
        texts.append(record.getMessage())
        texts.append(repr(record.__dict__))
    return texts


def test_no_secret_in_logs_or_audit(app, users, db_session, everything_logged):
    browser = Browser(app.test_client())
    other = Browser(app.test_client())
    assert browser.login(users.singer.email, WRONG_PASSWORD).status_code == 200
    assert browser.login("nobody@example.test", WRONG_PASSWORD).status_code == 200
    assert browser.login(users.singer.email).status_code == 302
    assert other.login(users.singer.email).status_code == 302
    old_token = db_session.get(User, users.singer.id).session_token
    old_hash = db_session.get(User, users.singer.id).password_hash
    response = browser.submit("/account/password", {
        "current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert other.get("/account/password").status_code == 302  # a stale token was presented
    assert browser.logout().status_code == 302

    db_session.expire_all()
    user = db_session.get(User, users.singer.id)
    secrets = {
        "password": DEFAULT_PASSWORD, "new password": NEW_PASSWORD,
        "wrong password": WRONG_PASSWORD, "old hash": old_hash, "new hash": user.password_hash,
        "old session token": old_token, "new session token": user.session_token,
        "secret key": TEST_SECRET,
        # The hash's salt+digest part alone is a secret too.
        "old digest": old_hash.split("$", 1)[1], "new digest": user.password_hash.split("$", 1)[1],
    }
    texts = record_texts(everything_logged)
    assert any("sqlalchemy.engine" in text for text in texts), "SQL logging was not captured"
    assert any("UPDATE user_account" in text for text in texts)
    for text in texts:
        for label, secret in secrets.items():
            assert secret not in text, f"{label} appears in a log record: {text[:300]}"

    events = db_session.scalars(select(AuditEvent)).all()
    assert {e.action for e in events} >= {"auth.sign_in", "auth.sign_in_failed",
                                          "auth.password_changed", "auth.sign_out"}
    for event in events:
        row = repr({column.key: getattr(event, column.key)
                    for column in AuditEvent.__table__.columns})
        for label, secret in secrets.items():
            assert secret not in row, f"{label} appears in audit entry {event.action}"
