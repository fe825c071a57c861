"""The sign-in limit holds when the guesses arrive all at once (and sign-out when the presses do).

N wrong passwords are sent at the same moment from N threads (each its own client, all released
by one barrier), against an app with real commits, counting in memory:// and in Redis. The
password check is instrumented: it counts every verification (wrong password and unknown account
alike) and takes a while, so that every request is in flight together. However many arrive, no
more than LOGIN_MAX_ATTEMPTS passwords may be checked per account, nor per client address.

PostgreSQL only: the failed attempts' audit entries are committed by concurrent threads, which
SQLite answers with "database is locked" (503) — the stores themselves are tested under threads on
both backends in test_attempt_budgets.py.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.auth.support import REDIS_URI, redis_answers, replaying, signed_in_email
from tests.conftest import make_test_app
from tests.helpers import DEFAULT_PASSWORD, Browser
from webadmin.auth import passwords
from webadmin.db import get_db
from webadmin.models import AuditEvent, UserRole
from webadmin.services.users import create_user

pytestmark = pytest.mark.postgres_only

LIMIT = 5
GUESSES = 40
WRONG = "a wrong password guess"



STORES = [
    pytest.param("memory://", id="memory"),
    pytest.param(REDIS_URI, id="redis",
                 marks=pytest.mark.skipif(not redis_answers(), reason="no Redis on :6379")),
]


@pytest.fixture(params=STORES)
def live_app(request, migrated_database: str, committing_engine) -> Iterator[Flask]:
    """An app committing for real (threads need their own connections), throttling in the
    parametrized store; ``committing_engine`` empties the tables afterwards."""
    app = make_test_app(migrated_database, RATELIMIT_STORAGE_URI=request.param,
                        LOGIN_MAX_ATTEMPTS=LIMIT, LOGIN_LOCK_SECONDS=60)
    try:
        yield app
    finally:
        get_db(app).session.remove()
        get_db(app).engine.dispose()


def make_account(app: Flask) -> str:
    """A singer whose email no earlier run used (the Redis store outlives a test run)."""
    email = f"parallel-{secrets.token_hex(6)}@example.test"
    with app.app_context():
        session = get_db(app).session()
        create_user(session, email=email, display_name="Parallel Test",
                    password=DEFAULT_PASSWORD, role=UserRole.singer)
        session.commit()
        get_db(app).session.remove()
    return email


def audit_count(app: Flask, action: str) -> int:
    with app.app_context():
        session = get_db(app).session()
        try:
            return session.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.action == action))
        finally:
            get_db(app).session.remove()


def random_address() -> str:
    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"


def browser_from(app: Flask, address: str | None = None) -> Browser:
    """A client at an address of its own: the Redis store outlives one test's app."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address or random_address()
    return Browser(client)


@pytest.fixture
def verifications(monkeypatch) -> list[str]:
    """Every password verification (wrong password or unknown account), each taking 0.2 s."""
    checked: list[str] = []
    lock = threading.Lock()
    real = passwords.check_password_hash

    def counting(stored: str, password: str) -> bool:
        with lock:
            checked.append(password)
        time.sleep(0.2)
        return real(stored, password) if password == DEFAULT_PASSWORD else False

    monkeypatch.setattr(passwords, "check_password_hash", counting)
    return checked


def all_at_once(app: Flask, attempts: list[tuple[str, str, str]]) -> list[int]:
    """POST /login for every (address, email, password) at the same moment; the statuses."""
    browsers = []
    for address, _email, _password in attempts:
        browser = browser_from(app, address)
        browsers.append((browser, browser.token_for("/login")))
    start = threading.Barrier(len(attempts))

    def send(index: int) -> int:
        (browser, token), (_address, email, password) = browsers[index], attempts[index]
        start.wait(timeout=30)
        return browser.client.post("/login", data={"email": email, "password": password,
                                                   "csrf_token": token}).status_code

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return list(pool.map(send, range(len(attempts)), timeout=120))


def test_parallel_guesses_for_one_account_check_at_most_the_limit(live_app, verifications):
    """Every guess from another address (a botnet, or a proxy's rotating X-Forwarded-For)."""
    email = make_account(live_app)
    statuses = all_at_once(live_app, [(random_address(), email, WRONG)
                                      for _ in range(GUESSES)])
    assert len(verifications) <= LIMIT, f"{len(verifications)} passwords checked"
    assert sorted(statuses) == [200] * len(verifications) + [429] * (GUESSES - len(verifications))
    assert len(verifications) == LIMIT  # and the budget was all used, not refused early
    # The account stays locked for the right password too.
    assert browser_from(live_app).login(email).status_code == 429
    # 36 refusals of one lock, from 36 addresses at once: one audit entry.
    assert audit_count(live_app, "auth.sign_in_throttled") == 1
    assert audit_count(live_app, "auth.sign_in_failed") == LIMIT


def test_parallel_guesses_from_one_address_check_at_most_the_limit(live_app, verifications):
    """One address spraying many accounts (unknown ones cost a verification too)."""
    address = random_address()
    statuses = all_at_once(live_app, [
        (address, f"spray-{secrets.token_hex(6)}@example.test", WRONG) for _ in range(GUESSES)])
    assert len(verifications) == LIMIT, f"{len(verifications)} passwords checked"
    assert statuses.count(429) == GUESSES - LIMIT


def test_right_passwords_in_parallel_do_not_use_up_the_budget(live_app, verifications):
    """Successful sign-ins give their attempt back, even when they overlap with each other."""
    email = make_account(live_app)
    statuses = all_at_once(live_app, [(random_address(), email, DEFAULT_PASSWORD)
                                      for _ in range(LIMIT)])
    assert statuses == [302] * LIMIT
    # The whole budget is still there for the owner's typos.
    browser = browser_from(live_app)
    assert [browser.login(email, WRONG).status_code for _ in range(LIMIT)] == [200] * LIMIT
    assert browser.login(email, WRONG).status_code == 429


def signed_in_copy(app: Flask) -> tuple[str, str, str]:
    """A new account signed in once: (its email, a CSRF token of the session, the session's
    cookie) — what each copy of a browser (a tab, a double click, a thief) sends."""
    email = make_account(app)
    owner = browser_from(app)
    assert owner.login(email).status_code == 302
    token = owner.token_for("/account/password")  # puts the CSRF secret in the session
    return email, token, owner.client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


def post_together(app: Flask, cookie: str, path: str, forms: list[dict[str, str]]) -> list:
    """POST each form to ``path`` at the same moment, each from a client sending ``cookie``."""
    start = threading.Barrier(len(forms))

    def post(form: dict[str, str]):
        client = browser_from(app).client
        client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
        start.wait(timeout=30)
        return client.post(path, data=form)

    with ThreadPoolExecutor(max_workers=len(forms)) as pool:
        return list(pool.map(post, forms, timeout=120))


def test_parallel_wrong_current_passwords_on_the_password_page_check_at_most_the_limit(
        live_app, verifications):
    """A borrowed session firing guesses at /account/password all at once: the account budget."""
    email, token, cookie = signed_in_copy(live_app)
    verifications.clear()  # the sign-in's own check
    responses = post_together(live_app, cookie, "/account/password", [
        {"csrf_token": token, "current_password": WRONG, "new_password": "a new long password",
         "confirm": "a new long password"}] * GUESSES)
    assert len(verifications) == LIMIT, f"{len(verifications)} passwords checked"
    assert sorted(r.status_code for r in responses) == [200] * LIMIT + [429] * (GUESSES - LIMIT)
    assert audit_count(live_app, "auth.password_change_throttled") == 1
    # Signing in to the account is locked as well.
    assert browser_from(live_app).login(email).status_code == 429


@pytest.mark.parametrize("action", ["/logout", "/account/sign-out-elsewhere"])
def test_a_double_click_on_sign_out_never_answers_500(live_app, action):
    """The presses arrive together with the same cookie: each gets a redirect, none a 500 (or a
    deadlock's 503), and that cookie opens nothing afterwards."""
    _email, token, cookie = signed_in_copy(live_app)
    responses = post_together(live_app, cookie, action, [{"csrf_token": token}] * 6)
    assert {r.status_code for r in responses} == {302}, [r.status_code for r in responses]
    assert signed_in_email(replaying(live_app, cookie)) is None


def test_a_double_click_on_change_password_never_answers_500(live_app):
    """The presses carry the right current password: one changes it, the others are told
    plainly that nothing was changed by them — no 500, no deadlock, one audit entry."""
    _email, token, cookie = signed_in_copy(live_app)
    presses = 4
    responses = post_together(live_app, cookie, "/account/password", [
        {"csrf_token": token, "current_password": DEFAULT_PASSWORD,
         "new_password": f"the new passphrase number {n}",
         "confirm": f"the new passphrase number {n}"} for n in range(presses)])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [302] + [409] * (presses - 1), statuses
    for response in responses:
        if response.status_code == 409:
            assert "Your password was changed at the same moment" in response.get_data(
                as_text=True)
    assert audit_count(live_app, "auth.password_changed") == 1
