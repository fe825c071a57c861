"""What the auth tests ask a browser: who is signed in, as the app itself sees it."""

from __future__ import annotations

import html
import re

from flask import Flask

from tests.helpers import Browser

# The account page names its account for password managers (templates/auth/password.html).
ACCOUNT_EMAIL = re.compile(r'name="username" value="([^"]*)"')


def signed_in_email(browser: Browser) -> str | None:
    """The email of the account this browser's session belongs to, read from the account page
    (rendered from ``current_user``); None when the page sends the visitor to sign in."""
    page = browser.get("/account/password")
    if page.status_code == 302:
        assert page.headers["Location"].startswith("/login"), page.headers["Location"]
        return None
    assert page.status_code == 200, page.status_code
    match = ACCOUNT_EMAIL.search(page.get_data(as_text=True))
    assert match, "the account page names no account"
    return html.unescape(match.group(1))


def replaying(app: Flask, cookie: str) -> Browser:
    """Another client that sends a copied session cookie (and keeps whatever it is sent back)."""
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    return Browser(client)


# The Redis database the auth tests count in; keys are unique per run (random emails, addresses,
# prefixes) and expire with their window.
REDIS_URI = "redis://127.0.0.1:6379/11"


def redis_answers() -> bool:
    """Whether a Redis answers at REDIS_URI (tests needing it are skipped otherwise)."""
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URI, socket_connect_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # noqa: BLE001 - any failure means: no Redis here
        return False
