"""Sessions that really end: sign-out kills every copy of the cookie, a session has an absolute
lifetime from sign-in that use does not renew, and "Sign out everywhere else" keeps only this one.

A "copy of the cookie" is what an attacker who read it (a shared computer, a leaked log) replays
from another client: the tests take the session cookie's value and send it from a fresh client.
"""

from __future__ import annotations

import time

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.auth.support import replaying, signed_in_email
from tests.factories import make_genre
from tests.helpers import Browser, csrf_token_from
from webadmin.models import AuditEvent, Song, User

HOUR = 3600


@pytest.fixture
def genre(db_session):
    genre = make_genre(db_session, name="Session Pop", slug="session-pop")
    db_session.commit()
    return genre


def song_form(genre, title: str) -> dict[str, str]:
    return {"title": title, "genre": str(genre.public_id), "duration_seconds": "3:05",
            "release_date": "2025-05-01", "isrc": "", "status": "draft", "lyrics": ""}


def songs_titled(db_session, title: str) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(Song).where(Song.title == title))


def cookie_of(app: Flask, browser: Browser) -> str:
    cookie = browser.client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None, "no session cookie"
    return cookie.value


def actions(db_session) -> list[str]:
    db_session.expire_all()
    return list(db_session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_a_copy_of_the_cookie_taken_before_sign_out_opens_nothing_afterwards(
        app, users, genre, db_session):
    owner = Browser(app.test_client())
    assert owner.login(users.singer.email).status_code == 302
    token = owner.token_for("/songs/new")
    stolen = cookie_of(app, owner)
    assert signed_in_email(replaying(app, stolen)) == users.singer.email  # it works now

    assert owner.logout().status_code == 302

    thief = replaying(app, stolen)
    page = thief.get("/songs/")
    assert page.status_code == 302
    assert page.headers["Location"] == "/login?next=/songs/"
    # A form post with the copy and the CSRF token read before sign-out: refused, nothing made.
    response = thief.client.post("/songs/new", data={**song_form(genre, "Stolen Song"),
                                                     "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert songs_titled(db_session, "Stolen Song") == 0
    assert signed_in_email(replaying(app, stolen)) is None
    assert "song.created" not in actions(db_session)


def test_sign_out_ends_every_session_of_the_account(app, users):
    """Sign-out replaces the account's session token: other browsers of it end too (the page
    says so)."""
    here, there = Browser(app.test_client()), Browser(app.test_client())
    here.login(users.singer.email)
    there.login(users.singer.email)
    response = here.logout()
    assert "You have been signed out on every device." in here.get(
        response.headers["Location"]).get_data(as_text=True)
    assert signed_in_email(there) is None
    # Signing in again works, and only the new session is valid.
    assert here.login(users.singer.email).status_code == 302
    assert signed_in_email(here) == users.singer.email


def test_sign_out_is_audited_once(app, users, db_session):
    browser = Browser(app.test_client())
    browser.login(users.singer.email)
    stolen = cookie_of(app, browser)
    browser.logout()
    replaying(app, stolen).get("/")
    assert actions(db_session) == ["auth.sign_in", "auth.sign_out"]


@pytest.fixture
def clock(monkeypatch):
    """Stops the time every part of the app reads (sessions, cookie signatures) and moves it only
    when told: a slow machine can't make a session older than the test says."""

    class Clock:
        now = float(int(time.time()))

        def advance(self, seconds: float) -> None:
            self.now += seconds

    fake = Clock()
    monkeypatch.setattr(time, "time", lambda: fake.now)
    return fake


def keep_cookie(app: Flask, browser: Browser, cookie: str) -> None:
    """Send ``cookie`` next time whatever its Expires says (a thief's client ignores it)."""
    browser.client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)


def test_a_session_ends_at_its_absolute_lifetime_however_much_it_is_used(app, users, clock):
    """Used every hour, the session is renewed for the idle lifetime each time — but never past
    SESSION_ABSOLUTE_HOURS after sign-in, whichever copy of the cookie is used."""
    absolute = app.config["SESSION_ABSOLUTE_HOURS"]
    assert absolute * HOUR > app.config["SESSION_LIFETIME_MINUTES"] * 60
    browser = Browser(app.test_client())
    browser.login(users.singer.email)
    first_copy = cookie_of(app, browser)
    for _hour in range(absolute - 1):
        clock.advance(HOUR)
        assert signed_in_email(browser) == users.singer.email
    latest_copy = cookie_of(app, browser)
    clock.advance(HOUR - 5)
    assert signed_in_email(browser) == users.singer.email  # 5 seconds left

    clock.advance(10)
    page = browser.get("/account/password")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    notice = browser.get(page.headers["Location"]).get_data(as_text=True)
    assert f"Sessions last at most {absolute} hours" in notice
    for copy in (first_copy, latest_copy):  # every renewed copy carries the sign-in time
        keep_cookie(app, browser, copy)
        assert signed_in_email(browser) is None


def test_the_session_cookie_expires_at_the_absolute_deadline_at_the_latest(app, users, clock):
    """Early on, the cookie expires after the idle lifetime; near the deadline, at the deadline."""
    idle = app.config["SESSION_LIFETIME_MINUTES"] * 60
    absolute = app.config["SESSION_ABSOLUTE_HOURS"] * HOUR
    browser = Browser(app.test_client())
    before = time.time()
    browser.login(users.singer.email)
    after = time.time()
    earliest_deadline, latest_deadline = int(before) + absolute, after + absolute

    def cookie_expiry() -> tuple[float, float, float]:
        """(the cookie's expiry, the time before the request, the time after it)"""
        keep_cookie(app, browser, cookie_of(app, browser))  # the jar would drop it: time moved
        sent = time.time()
        assert browser.get("/account/password").status_code == 200
        expires = browser.client.get_cookie(app.config["SESSION_COOKIE_NAME"]).expires
        return expires.timestamp(), sent, time.time()

    expires, sent, answered = cookie_expiry()
    assert int(sent) + idle - 1 <= expires <= answered + idle
    for _hour in range(app.config["SESSION_ABSOLUTE_HOURS"] - 1):  # used every hour
        clock.advance(HOUR)
        cookie_expiry()
    clock.advance(HOUR - 60)
    assert time.time() + idle > latest_deadline  # renewing for the idle lifetime would overshoot
    expires, _sent, _answered = cookie_expiry()
    assert earliest_deadline - 1 <= expires <= latest_deadline


def test_an_idle_session_ends_after_the_idle_lifetime(app, users, clock):
    browser = Browser(app.test_client())
    browser.login(users.singer.email)
    copy = cookie_of(app, browser)
    clock.advance(app.config["SESSION_LIFETIME_MINUTES"] * 60 + 5)
    keep_cookie(app, browser, copy)
    assert signed_in_email(browser) is None


def test_a_new_sign_in_starts_a_new_absolute_lifetime(app, users, clock):
    browser = Browser(app.test_client())
    browser.login(users.singer.email)
    clock.advance(app.config["SESSION_ABSOLUTE_HOURS"] * HOUR + 1)
    assert signed_in_email(browser) is None
    assert browser.login(users.singer.email).status_code == 302
    assert signed_in_email(browser) == users.singer.email


def test_sign_out_everywhere_else_keeps_this_session_only(app, users, db_session, genre):
    here, there = Browser(app.test_client()), Browser(app.test_client())
    here.login(users.singer.email)
    there.login(users.singer.email)
    copy_of_here = cookie_of(app, here)
    token_there = there.token_for("/songs/new")

    page = here.get("/account/password").get_data(as_text=True)
    assert "Sign out everywhere else" in page
    response = here.submit("/account/password", action="/account/sign-out-elsewhere")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/password"
    assert "Every other session of your account has been signed out." in here.get(
        "/account/password").get_data(as_text=True)

    assert signed_in_email(here) == users.singer.email
    assert signed_in_email(there) is None
    refused = there.client.post("/songs/new", data={**song_form(genre, "From Elsewhere"),
                                                    "csrf_token": token_there})
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/login")
    assert songs_titled(db_session, "From Elsewhere") == 0
    # A copy of this browser's cookie from before the button is dead as well: it held the old
    # token. This browser itself carries the new one.
    assert signed_in_email(replaying(app, copy_of_here)) is None
    assert here.submit("/songs/new", song_form(genre, "Still Here")).status_code == 302
    assert songs_titled(db_session, "Still Here") == 1

    event = db_session.scalars(select(AuditEvent).where(
        AuditEvent.action == "auth.signed_out_elsewhere")).one()
    assert (event.actor_user_id, event.target_public_id) == (
        users.singer.id, str(users.singer.public_id))


def test_sign_out_everywhere_else_keeps_the_absolute_deadline(app, users, clock):
    """Pressing the button does not buy a longer session."""
    browser = Browser(app.test_client())
    browser.login(users.singer.email)
    for _hour in range(app.config["SESSION_ABSOLUTE_HOURS"] - 1):  # used every hour
        clock.advance(HOUR)
        keep_cookie(app, browser, cookie_of(app, browser))
        assert signed_in_email(browser) == users.singer.email
    clock.advance(HOUR - 60)
    keep_cookie(app, browser, cookie_of(app, browser))
    assert browser.submit("/account/password",
                          action="/account/sign-out-elsewhere").status_code == 302
    clock.advance(61)
    keep_cookie(app, browser, cookie_of(app, browser))
    assert signed_in_email(browser) is None


@pytest.mark.parametrize("token", [None, "", "forged"])
def test_sign_out_everywhere_else_needs_the_csrf_token(app, users, db_session, token):
    here, there = Browser(app.test_client()), Browser(app.test_client())
    here.login(users.singer.email)
    there.login(users.singer.email)
    token_before = db_session.get(User, users.singer.id).session_token
    response = here.client.post("/account/sign-out-elsewhere",
                                data={} if token is None else {"csrf_token": token})
    assert response.status_code == 400
    db_session.expire_all()
    assert db_session.get(User, users.singer.id).session_token == token_before
    assert signed_in_email(there) == users.singer.email
    assert "auth.signed_out_elsewhere" not in actions(db_session)


def test_sign_out_everywhere_else_is_post_only(app, users):
    browser = Browser(app.test_client())
    browser.login(users.singer.email)
    assert browser.get("/account/sign-out-elsewhere").status_code == 405


def test_the_account_page_says_when_this_session_ends(app, users):
    browser = Browser(app.test_client())
    browser.login(users.singer.email)
    html = browser.get("/account/password").get_data(as_text=True)
    assert "This session ends at" in html and "or after 8 hours without use." in html
    assert csrf_token_from(html.split("Sign out everywhere else", 1)[0].rsplit("<form", 1)[1])
