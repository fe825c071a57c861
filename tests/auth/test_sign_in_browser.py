"""Sign-in in Debian's chromium: the CSP holds (no violation), the cookie is HttpOnly/Lax, the
page fits a phone, and the whole sign-in / sign-out round trip works with the real UI."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from werkzeug.serving import make_server

from tests.conftest import make_test_app
from tests.helpers import DEFAULT_PASSWORD, free_port
from webadmin.db import get_db
from webadmin.models import UserRole
from webadmin.services.users import create_user

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
EMAIL = "browser-singer@example.test"


@pytest.fixture
def live_server(migrated_database: str, committing_engine: Engine) -> Iterator[str]:
    """The app on 127.0.0.1:<free port>, real commits (committing_engine empties the tables)."""
    app = make_test_app(migrated_database)
    with app.app_context():
        session = get_db(app).session()
        create_user(session, email=EMAIL, display_name="Browser Singer",
                    password=DEFAULT_PASSWORD, role=UserRole.singer)
        session.commit()
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        get_db(app).engine.dispose()


@pytest.fixture
def chromium() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_sign_in_and_out_in_chromium(live_server, chromium, width, height):
    context = chromium.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    try:
        page.goto(live_server + "/account/password")
        assert page.url == live_server + "/login?next=/account/password"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.get_by_label("Email").is_visible()

        page.get_by_label("Email").fill(EMAIL)
        page.get_by_label("Password").fill("a wrong password")
        page.get_by_role("button", name="Sign in").click()
        assert page.get_by_role("alert").inner_text() == (
            "The email address or password is incorrect.")

        page.get_by_label("Password").fill(DEFAULT_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(live_server + "/account/password")
        assert page.get_by_role("heading", name="Change password").is_visible()

        cookie = next(c for c in context.cookies() if c["name"] == "session")
        assert cookie["httpOnly"] is True
        assert cookie["sameSite"] == "Lax"

        page.locator("summary", has_text="Browser Singer").click()
        page.get_by_role("button", name="Sign out", exact=True).click()
        page.wait_for_url(live_server + "/login")
        assert "You have been signed out on every device." in page.content()

        violations = [text for text in console if "Content Security Policy" in text
                      or "Refused to" in text]
        assert not violations, violations
    finally:
        context.close()
