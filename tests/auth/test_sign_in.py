"""Sign-in, sign-out and the session: what a person at the browser sees."""

from __future__ import annotations

import re

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from tests.auth.support import signed_in_email
from tests.helpers import DEFAULT_PASSWORD, Browser, csrf_token_from
from webadmin.auth.passwords import HASH_METHOD
from webadmin.models import AuditEvent, User
from webadmin.services.users import deactivate


def fresh(db_session, user: User) -> User:
    """The fixture's user as a row of the test's session (the fixture's copy is detached)."""
    return db_session.get(User, user.id)


def audit_actions(db_session) -> list[str]:
    db_session.expire_all()
    return list(db_session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_sign_in_page_is_labelled_and_has_autocomplete(browser):
    response = browser.get("/login")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "webadmin" in html and "Sign in" in html
    assert 'for="email"' in html and 'for="password"' in html
    assert 'autocomplete="username"' in html and 'autocomplete="current-password"' in html
    assert 'class="auth-page"' in html


def session_user(db_session, browser: Browser) -> User | None:
    """The account whose token this browser's session carries, as the user loader finds it."""
    with browser.client.session_transaction() as sess:
        token = sess.get("_user_id")
    db_session.expire_all()
    return db_session.scalars(select(User).where(User.session_token == token)).one_or_none()


def test_sign_in_redirects_home_and_shows_the_user(browser, users, db_session):
    assert signed_in_email(browser) is None
    response = browser.login(users.singer.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert session_user(db_session, browser).id == users.singer.id
    assert signed_in_email(browser) == users.singer.email
    page = browser.get("/account/password").get_data(as_text=True)
    assert re.search(rf"<summary[^>]*>{re.escape(users.singer.display_name)} ", page)
    assert users.other_singer.display_name not in page
    assert audit_actions(db_session) == ["auth.sign_in"]
    event = db_session.scalars(select(AuditEvent)).one()
    assert event.actor_user_id == users.singer.id
    assert event.target_public_id == str(users.singer.public_id)
    assert event.client_ip == "127.0.0.1"


def test_email_is_matched_case_insensitively(browser, users, db_session):
    response = browser.login("  SINGER@Example.TEST ")
    assert response.status_code == 302
    assert session_user(db_session, browser).id == users.singer.id
    assert signed_in_email(browser) == users.singer.email


def test_each_account_gets_its_own_session(app, users, db_session):
    """Two people signing in at once each get their own account, never the other's."""
    singer, admin = Browser(app.test_client()), Browser(app.test_client())
    assert singer.login(users.singer.email).status_code == 302
    assert admin.login(users.superadmin.email).status_code == 302
    assert (signed_in_email(singer), signed_in_email(admin)) == (
        users.singer.email, users.superadmin.email)
    assert session_user(db_session, singer).id == users.singer.id


def test_a_sign_in_is_not_an_edit_of_the_account(browser, users, db_session):
    """The sign-in time is stamped without a new row version: a superadmin editing the account
    meanwhile gets no conflict, and two sign-ins at once don't conflict with each other."""
    before = fresh(db_session, users.singer).version_id
    assert browser.login(users.singer.email).status_code == 302
    db_session.expire_all()
    after = db_session.get(User, users.singer.id)
    assert after.version_id == before and after.last_sign_in_at is not None


def test_sign_in_records_the_time(browser, users, db_session):
    assert users.singer.last_sign_in_at is None
    browser.login(users.singer.email)
    db_session.expire_all()
    assert db_session.get(User, users.singer.id).last_sign_in_at is not None


def test_wrong_password_and_unknown_email_get_the_same_answer(browser, users, db_session):
    wrong = browser.login(users.singer.email, "not the password at all")
    unknown = browser.login("nobody@example.test", "not the password at all")
    assert wrong.status_code == unknown.status_code == 200
    message = "The email address or password is incorrect."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    assert audit_actions(db_session) == ["auth.sign_in_failed", "auth.sign_in_failed"]
    events = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.details["email"] for e in events] == [users.singer.email, "nobody@example.test"]
    assert all(e.actor_user_id is None for e in events)


def test_unknown_email_costs_one_password_verification_like_a_wrong_password(
        browser, users, monkeypatch):
    """No enumeration by timing: both paths run exactly one scrypt verification."""
    from webadmin.auth import passwords

    calls: list[str] = []
    real = passwords.check_password_hash

    def counting(stored: str, password: str) -> bool:
        calls.append(stored.split("$", 1)[0])
        return real(stored, password)

    monkeypatch.setattr(passwords, "check_password_hash", counting)
    browser.login(users.singer.email, "wrong password here")
    assert calls == [HASH_METHOD]
    calls.clear()
    browser.login("nobody@example.test", "wrong password here")
    assert calls == [HASH_METHOD]


def test_missing_fields_show_errors_in_place(browser):
    response = browser.submit("/login", {"email": "", "password": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter your email address." in html and "Enter your password." in html
    assert 'aria-invalid="true"' in html


def test_listener_cannot_sign_in_even_with_the_right_password(browser, users, db_session):
    response = browser.login(users.listener.email)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Your account signs in in the app, not here." in html
    assert signed_in_email(browser) is None


def test_the_back_office_is_no_password_oracle_for_listeners(browser, users):
    """Right and wrong listener passwords get the same answer: nothing to learn here."""
    right = browser.login(users.listener.email).get_data(as_text=True)
    wrong = browser.login(users.listener.email, "a wrong password").get_data(as_text=True)
    for html in (right, wrong):
        assert "The email address or password is incorrect." in html
        assert "cannot sign in" not in html


def test_right_listener_passwords_count_against_the_throttle(app, browser, users):
    app.config["LOGIN_MAX_ATTEMPTS"] = 2
    assert [browser.login(users.listener.email).status_code for _ in range(2)] == [200, 200]
    assert browser.login(users.listener.email).status_code == 429


def test_cannot_sign_in_message_only_after_the_right_password(browser, users, db_session):
    fresh(db_session, users.singer).is_active = False
    db_session.commit()
    response = browser.login(users.singer.email, "a wrong password")
    html = response.get_data(as_text=True)
    assert "cannot sign in" not in html
    assert "The email address or password is incorrect." in html
    response = browser.login(users.singer.email)
    assert "This account cannot sign in to the back office." in response.get_data(as_text=True)


def test_deleted_account_cannot_sign_in(browser, users, db_session):
    from webadmin.models import utcnow

    fresh(db_session, users.singer).deleted_at = utcnow()
    db_session.commit()
    response = browser.login(users.singer.email)
    assert response.status_code == 200
    assert "This account cannot sign in to the back office." in response.get_data(as_text=True)
    assert browser.get("/account/password").status_code == 302


def test_signed_in_visit_to_login_goes_to_next(browser, users):
    browser.login(users.singer.email)
    response = browser.get("/login?next=/account/password")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/password"
    assert signed_in_email(browser) == users.singer.email


def test_sign_out_is_post_only_and_ends_the_session(browser, users, db_session):
    browser.login(users.singer.email)
    assert browser.get("/logout").status_code == 405
    assert signed_in_email(browser) == users.singer.email
    response = browser.logout()
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert "You have been signed out on every device." in browser.get("/login").get_data(
        as_text=True)
    after = browser.get("/account/password")
    assert after.status_code == 302
    assert after.headers["Location"].startswith("/login?next=")
    assert audit_actions(db_session) == ["auth.sign_in", "auth.sign_out"]


def test_session_is_renewed_at_sign_in(browser, users, app):
    """Nothing put in the session before sign-in survives it, and the CSRF token changes."""
    with browser.client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    token_before = csrf_token_from(browser.get("/login").get_data(as_text=True))
    with browser.client.session_transaction() as sess:
        raw_before = sess["csrf_token"]
    browser.client.post("/login", data={"email": users.singer.email,
                                        "password": DEFAULT_PASSWORD,
                                        "csrf_token": token_before})
    with browser.client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess.get("csrf_token") != raw_before
        assert sess["_user_id"] == users.singer.session_token
    # The old token is no longer accepted.
    response = browser.client.post("/account/password", data={
        "csrf_token": token_before, "current_password": DEFAULT_PASSWORD,
        "new_password": "another long password", "confirm": "another long password"})
    assert response.status_code == 400


def test_session_cookie_flags(browser, users, app):
    response = browser.login(users.singer.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # testing over http; production sets SESSION_COOKIE_SECURE


def test_session_cookie_is_secure_in_production_config(migrated_database):
    from tests.conftest import make_test_app

    app = make_test_app(migrated_database, ENV_NAME="production", TESTING=False)
    try:
        assert app.config["SESSION_COOKIE_SECURE"] is True
        assert app.config["SESSION_COOKIE_HTTPONLY"] is True
        assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    finally:
        from webadmin.db import get_db

        get_db(app).engine.dispose()


def test_outdated_hash_is_upgraded_at_sign_in(browser, users, db_session):
    old_hash = generate_password_hash(DEFAULT_PASSWORD, method="scrypt:16384:8:1")
    fresh(db_session, users.singer).password_hash = old_hash
    db_session.commit()
    assert browser.login(users.singer.email).status_code == 302
    assert signed_in_email(browser) == users.singer.email
    db_session.expire_all()
    new_hash = db_session.get(User, users.singer.id).password_hash
    assert new_hash != old_hash
    assert new_hash.startswith(HASH_METHOD + "$")
    browser.logout()
    assert browser.login(users.singer.email).status_code == 302
    assert signed_in_email(browser) == users.singer.email


def test_current_hash_is_left_alone_at_sign_in(browser, users, db_session):
    before = users.singer.password_hash
    browser.login(users.singer.email)
    db_session.expire_all()
    assert db_session.get(User, users.singer.id).password_hash == before


def test_deactivation_ends_a_live_session_at_the_next_request(app, users, db_session):
    admin, singer = Browser(app.test_client()), Browser(app.test_client())
    assert singer.login(users.singer.email).status_code == 302
    assert admin.login(users.superadmin.email).status_code == 302
    assert signed_in_email(singer) == users.singer.email

    deactivate(fresh(db_session, users.singer))
    db_session.commit()

    response = singer.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/account/password"
    assert signed_in_email(admin) == users.superadmin.email
    assert "cannot sign in" in singer.login(users.singer.email).get_data(as_text=True)
