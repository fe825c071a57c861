"""Sign-in throttling: per account and per client address, failures only, and the lock ends."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from tests.helpers import Browser
from webadmin.models import AuditEvent

WRONG = "definitely not the password"


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"LOGIN_MAX_ATTEMPTS": 3, "LOGIN_LOCK_SECONDS": 900}


def browser_at(app, address: str) -> Browser:
    """A browser whose requests come from ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return Browser(client)


def fail(browser: Browser, email: str, times: int) -> list[int]:
    return [browser.login(email, WRONG).status_code for _ in range(times)]


def test_account_is_locked_after_the_configured_failures(app, users, db_session):
    browser = browser_at(app, "10.0.0.1")
    assert fail(browser, users.singer.email, 3) == [200, 200, 200]

    response = browser.login(users.singer.email, WRONG)
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in html
    assert 0 < int(response.headers["Retry-After"]) <= 900
    assert 'value="singer@example.test"' in html  # the form is still there, filled in

    # The right password is refused as well while the lock lasts.
    assert browser.login(users.singer.email).status_code == 429
    # ... also from another address: the account is locked.
    assert browser_at(app, "10.0.0.2").login(users.singer.email).status_code == 429
    # Other accounts are not affected.
    assert browser_at(app, "10.0.0.2").login(users.other_singer.email).status_code == 302

    db_session.expire_all()
    actions = list(db_session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions.count("auth.sign_in_failed") == 3
    # Three refused attempts on one lock, one audit entry: a flood writes nothing more.
    assert actions.count("auth.sign_in_throttled") == 1
    throttled = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "auth.sign_in_throttled")).first()
    assert throttled.details == {"email": "singer@example.test", "limited_by": "account"}


def test_address_is_locked_after_failures_on_several_accounts(app, users, db_session):
    browser = browser_at(app, "10.0.0.3")
    for email in ("a@example.test", "b@example.test", "c@example.test"):
        assert fail(browser, email, 1) == [200]
    response = browser.login(users.singer.email)  # a fourth account, right password
    assert response.status_code == 429
    assert "Try again in" in response.get_data(as_text=True)
    # The same account from another address is fine: only the address is locked.
    assert browser_at(app, "10.0.0.4").login(users.singer.email).status_code == 302
    db_session.expire_all()
    event = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "auth.sign_in_throttled")).one()
    assert event.details["limited_by"] == "address"
    assert event.client_ip == "10.0.0.3"


def test_successful_sign_ins_do_not_count(app, users):
    browser = browser_at(app, "10.0.0.5")
    for _ in range(5):
        assert browser.login(users.singer.email).status_code == 302
        browser.logout()
    assert fail(browser, users.singer.email, 2) == [200, 200]
    assert browser.login(users.singer.email).status_code == 302


def test_form_errors_do_not_count(app, users):
    browser = browser_at(app, "10.0.0.6")
    for _ in range(5):
        response = browser.submit("/login", {"email": users.singer.email, "password": ""})
        assert response.status_code == 200
    assert browser.login(users.singer.email).status_code == 302


def test_the_lock_expires(migrated_database, users_factory=None):
    """With a 2-second window the lock is gone after the window (a behaviour, not a timing)."""
    from tests.conftest import make_test_app
    from tests.helpers import TestUsers, rolled_back_transaction
    from webadmin.db import get_db

    app = make_test_app(migrated_database, LOGIN_MAX_ATTEMPTS=2, LOGIN_LOCK_SECONDS=2)
    with rolled_back_transaction(app):
        with app.app_context():
            users = TestUsers.create(get_db(app).session())
        browser = browser_at(app, "10.0.0.7")
        assert fail(browser, users.singer.email, 2) == [200, 200]
        assert browser.login(users.singer.email).status_code == 429
        time.sleep(2.5)
        assert browser.login(users.singer.email).status_code == 302


def test_throttling_can_be_switched_off(app, users):
    app.config["LOGIN_MAX_ATTEMPTS"] = 0
    browser = browser_at(app, "10.0.0.8")
    assert set(fail(browser, users.singer.email, 6)) == {200}
    assert browser.login(users.singer.email).status_code == 302


def test_each_app_starts_with_a_clean_store(app, users):
    """Limiter state does not leak between tests: the previous tests locked this account."""
    assert browser_at(app, "10.0.0.1").login(users.singer.email).status_code == 302


def test_wrong_current_passwords_on_the_password_page_count_for_the_account(app, users,
                                                                               db_session):
    """A borrowed session can't guess the password freely: the account's budget is shared."""
    browser = browser_at(app, "10.0.0.9")
    assert browser.login(users.singer.email).status_code == 302
    for _ in range(3):
        response = browser.submit("/account/password", {
            "current_password": "a wrong guess here", "new_password": "a new long password",
            "confirm": "a new long password"})
        assert response.status_code == 200
        assert "The current password is incorrect." in response.get_data(as_text=True)
    response = browser.submit("/account/password", {
        "current_password": "correct horse battery staple", "new_password": "a new long password",
        "confirm": "a new long password"})
    assert response.status_code == 429
    assert "Too many wrong passwords for this account. Try again in" in (
        response.get_data(as_text=True))
    assert int(response.headers["Retry-After"]) > 0
    # Signing in to that account is locked as well, from anywhere.
    assert browser_at(app, "10.0.0.10").login(users.singer.email).status_code == 429
    db_session.expire_all()
    actions = list(db_session.scalars(select(AuditEvent.action)))
    assert "auth.password_change_throttled" in actions
    assert "auth.password_changed" not in actions
