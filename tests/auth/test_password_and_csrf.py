"""Own password change, CSRF on every auth form, hostile input sizes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.helpers import DEFAULT_PASSWORD, Browser
from webadmin.auth.passwords import verify_password
from webadmin.models import AuditEvent, User

NEW_PASSWORD = "a brand new passphrase 42"


def fresh_user(db_session, user: User) -> User:
    db_session.expire_all()
    return db_session.get(User, user.id)


def change(browser: Browser, current: str, new: str, confirm: str | None = None):
    return browser.submit("/account/password", {
        "current_password": current, "new_password": new,
        "confirm": new if confirm is None else confirm})


def test_password_page_has_the_three_labelled_fields(browser, users):
    browser.login(users.singer.email)
    html = browser.get("/account/password").get_data(as_text=True)
    for field in ("current_password", "new_password", "confirm"):
        assert f'for="{field}"' in html
    assert 'autocomplete="new-password"' in html


def test_change_own_password(browser, users, db_session):
    browser.login(users.singer.email)
    response = change(browser, DEFAULT_PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    page = browser.get(response.headers["Location"])
    assert "Your password has been changed." in page.get_data(as_text=True)
    user = fresh_user(db_session, users.singer)
    assert verify_password(user.password_hash, NEW_PASSWORD)
    events = db_session.scalars(select(AuditEvent).where(
        AuditEvent.action == "auth.password_changed")).all()
    assert [(e.actor_user_id, e.target_public_id) for e in events] == [
        (users.singer.id, str(users.singer.public_id))]
    # The new password signs in; the old one no longer does.
    browser.logout()
    assert browser.login(users.singer.email, DEFAULT_PASSWORD).status_code == 200
    assert browser.login(users.singer.email, NEW_PASSWORD).status_code == 302


def test_password_change_ends_other_sessions_but_not_this_one(app, users, db_session):
    here, elsewhere = Browser(app.test_client()), Browser(app.test_client())
    here.login(users.singer.email)
    elsewhere.login(users.singer.email)
    assert change(here, DEFAULT_PASSWORD, NEW_PASSWORD).status_code == 302
    assert here.get("/account/password").status_code == 200
    response = elsewhere.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("current,new,confirm,message", [
    ("wrong current password", NEW_PASSWORD, None, "The current password is incorrect."),
    (DEFAULT_PASSWORD, "short", None, "Use at least 12 characters."),
    (DEFAULT_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "The two new passwords differ."),
    (DEFAULT_PASSWORD, DEFAULT_PASSWORD, None, "different from the current one"),
    (DEFAULT_PASSWORD, " padded password here ", None, "must not start or end with spaces"),
    ("", NEW_PASSWORD, None, "Enter your current password."),
])
def test_bad_password_changes_show_errors_and_change_nothing(
        browser, users, db_session, current, new, confirm, message):
    browser.login(users.singer.email)
    before = fresh_user(db_session, users.singer)
    hash_before, token_before = before.password_hash, before.session_token
    response = change(browser, current, new, confirm)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    after = fresh_user(db_session, users.singer)
    assert (after.password_hash, after.session_token) == (hash_before, token_before)
    assert browser.get("/account/password").status_code == 200


def count_rows(db_session, model) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_posts_without_a_valid_csrf_token_are_refused_and_change_nothing(
        browser, users, db_session, token):
    extra = {} if token is None else {"csrf_token": token}
    # Sign-in: refused, no session, no audit entry.
    response = browser.client.post("/login", data={
        "email": users.singer.email, "password": DEFAULT_PASSWORD, **extra})
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)
    assert browser.get("/account/password").status_code == 302
    assert count_rows(db_session, AuditEvent) == 0

    browser.login(users.singer.email)
    events = count_rows(db_session, AuditEvent)
    hash_before = fresh_user(db_session, users.singer).password_hash

    # Password change: refused, password unchanged.
    response = browser.client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD, **extra})
    assert response.status_code == 400
    assert fresh_user(db_session, users.singer).password_hash == hash_before

    # Sign-out: refused, still signed in.
    response = browser.client.post("/logout", data=extra)
    assert response.status_code == 400
    assert browser.get("/account/password").status_code == 200
    assert count_rows(db_session, AuditEvent) == events


def test_csrf_token_of_another_session_is_refused(app, users):
    mine, theirs = Browser(app.test_client()), Browser(app.test_client())
    their_token = theirs.token_for("/login")
    mine.get("/login")
    response = mine.client.post("/login", data={
        "email": users.singer.email, "password": DEFAULT_PASSWORD, "csrf_token": their_token})
    assert response.status_code == 400


@pytest.mark.parametrize("field", ["email", "password"])
def test_ten_megabyte_fields_are_refused_cleanly(browser, users, field):
    data = {"email": users.singer.email, "password": DEFAULT_PASSWORD}
    data[field] = "a" * (10 * 1024 * 1024)
    response = browser.submit("/login", data)
    assert response.status_code in (400, 413)
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("field,length", [("email", 5000), ("password", 5000)])
def test_overlong_fields_are_form_errors(browser, users, field, length):
    data = {"email": users.singer.email, "password": DEFAULT_PASSWORD}
    data[field] = "a" * length
    response = browser.submit("/login", data)
    assert response.status_code == 200
    assert "Field cannot be longer than" in response.get_data(as_text=True)
    assert browser.get("/account/password").status_code == 302


@pytest.mark.parametrize("field", ["email", "password"])
def test_nul_bytes_are_form_errors(browser, users, field):
    data = {"email": users.singer.email, "password": DEFAULT_PASSWORD}
    data[field] = data[field][:3] + "\x00" + data[field][3:]
    response = browser.submit("/login", data)
    assert response.status_code == 200
    assert "character that is not allowed" in response.get_data(as_text=True)


def test_nul_byte_in_new_password_is_a_form_error(browser, users):
    browser.login(users.singer.email)
    response = change(browser, DEFAULT_PASSWORD, "long enough pass\x00word")
    assert response.status_code == 200
    assert "not allowed" in response.get_data(as_text=True)


def account_rows(db_session) -> list[tuple]:
    """Everything a sign-in could change about the accounts."""
    db_session.expire_all()
    return list(db_session.execute(select(
        User.id, User.email, User.password_hash, User.session_token, User.version_id,
        User.last_sign_in_at).order_by(User.id)))


ODD_EMAILS = [
    "ü@exämple.test",
    "' OR 1=1 --",
    "singer@example.test' --",
    "%",  # a LIKE wildcard would match every account
    "_inger@example.test",
    "singer@example.test.",
    "a" * 320,
    "x@y",
    "<script>alert(1)</script>@example.test",
    "singer@example.test admin@example.test",
    "\u202esinger@example.test",  # right-to-left override
]


@pytest.mark.parametrize("email", ODD_EMAILS, ids=range(len(ODD_EMAILS)))
def test_odd_emails_are_a_wrong_sign_in_and_change_nothing(browser, users, db_session, email):
    """Even with a real account's password: the wrong-credentials message, nobody signed in,
    no account touched, one failed-sign-in entry naming what was typed."""
    accounts = account_rows(db_session)
    response = browser.login(email, DEFAULT_PASSWORD)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The email address or password is incorrect." in html
    assert "<script>alert(1)</script>" not in html  # shown escaped, if at all
    assert browser.get("/account/password").status_code == 302  # nobody signed in
    assert account_rows(db_session) == accounts
    events = db_session.scalars(select(AuditEvent)).all()
    assert [(e.action, e.actor_user_id, e.details["email"]) for e in events] == [
        ("auth.sign_in_failed", None, email.strip().lower())]


def test_an_email_longer_than_an_address_can_be_is_a_field_error(browser, users, db_session):
    accounts = account_rows(db_session)
    response = browser.login("a" * 321, DEFAULT_PASSWORD)
    assert response.status_code == 200
    assert "Field cannot be longer than 320 characters." in response.get_data(as_text=True)
    assert browser.get("/account/password").status_code == 302
    assert account_rows(db_session) == accounts
    assert count_rows(db_session, AuditEvent) == 0  # a form error is no attempt


def test_a_password_changed_meanwhile_is_not_overwritten(browser, users, db_session, monkeypatch):
    """Between checking the current password and saving, another window changed it: this save
    changes nothing, says so with 409, and the other window's password stands."""
    from sqlalchemy import text

    from webadmin.auth import views

    browser.login(users.singer.email)
    real_verify = views.verify_password

    def verify_then_lose_the_race(stored_hash, password):
        verified = real_verify(stored_hash, password)
        db_session.execute(text("UPDATE user_account SET password_hash = 'changed-elsewhere', "
                                "version_id = version_id + 1 WHERE id = :id"),
                           {"id": users.singer.id})
        return verified

    monkeypatch.setattr(views, "verify_password", verify_then_lose_the_race)
    response = change(browser, DEFAULT_PASSWORD, NEW_PASSWORD)
    assert response.status_code == 409
    assert "Your password was changed at the same moment" in response.get_data(as_text=True)
    # (The simulated other window shared this test's transaction, so the rollback undid it too.)
    assert not verify_password(fresh_user(db_session, users.singer).password_hash, NEW_PASSWORD)
    events = db_session.scalars(select(AuditEvent.action)).all()
    assert "auth.password_changed" not in events
