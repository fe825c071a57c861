"""ProxyFix from PROXY_FIX_*: the client's scheme, host, prefix and address — and no further.

The same checks through a real nginx and gunicorn are in test_nginx_proxy.py; these use the test
client with the headers nginx would send.
"""

from __future__ import annotations

import pytest
from flask import url_for
from sqlalchemy import select

from tests.helpers import Browser
from webadmin.auth.permissions import public
from webadmin.models import AuditEvent

ONE_PROXY = {"PROXY_FIX_X_FOR": 1, "PROXY_FIX_X_PROTO": 1, "PROXY_FIX_X_HOST": 1,
             "PROXY_FIX_X_PREFIX": 1, "SESSION_COOKIE_SECURE": True}
# What nginx sends for a client at 203.0.113.9 that itself claimed to be 6.6.6.6.
FORWARDED = {
    "X-Forwarded-For": "6.6.6.6, 203.0.113.9",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "admin.example.com",
    "X-Forwarded-Prefix": "/admin",
    # Browsers send it; Flask-WTF requires a same-origin Referer on https POSTs.
    "Referer": "https://admin.example.com/admin/login",
}


def proxied_browser(app, headers=FORWARDED) -> Browser:
    client = app.test_client()
    for name, value in headers.items():
        client.environ_base["HTTP_" + name.upper().replace("-", "_")] = value
    return Browser(client)


def sign_in_events(db_session):
    return db_session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.sign_in")).all()


class TestBehindOneProxy:
    @pytest.fixture
    def app_config(self):
        return dict(ONE_PROXY)

    def test_redirects_keep_scheme_host_and_prefix(self, app):
        response = proxied_browser(app).get("/account/password")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("https://admin.example.com/admin/login")

    def test_links_and_external_urls_use_the_client_view(self, app):
        @app.get("/_test/external")
        @public
        def external():
            return url_for("auth.login", _external=True)

        browser = proxied_browser(app)
        assert browser.get("/_test/external").get_data(as_text=True) == (
            "https://admin.example.com/admin/login")
        body = browser.get("/login").get_data(as_text=True)
        assert 'action="/admin/login' in body
        assert 'href="/admin/static/css/app.css?v=' in body

    def test_sign_in_records_the_address_the_proxy_saw(self, app, users, db_session):
        browser = proxied_browser(app)
        response = browser.login(users.superadmin.email)
        assert response.status_code == 302
        assert response.headers["Location"] == "https://admin.example.com/admin/"
        assert "Secure" in response.headers["Set-Cookie"]
        (event,) = sign_in_events(db_session)
        assert event.client_ip == "203.0.113.9"  # not 6.6.6.6: one hop is trusted, not two
        assert event.request_id == response.headers["X-Request-ID"]

    def test_throttling_counts_the_real_client_not_the_proxy(self, app, users):
        attacker = proxied_browser(app, {**FORWARDED, "X-Forwarded-For": "203.0.113.50"})
        limit = app.config["LOGIN_MAX_ATTEMPTS"]
        for _ in range(limit):
            attacker.login("nobody@example.test", "wrong password 123")
        assert attacker.login("nobody2@example.test", "wrong again 1234").status_code == 429
        # Another client behind the same proxy is not locked out.
        other = proxied_browser(app, {**FORWARDED, "X-Forwarded-For": "203.0.113.51"})
        assert other.login(users.superadmin.email).status_code == 302


class TestWithoutProxySettings:
    """The default trusts no forwarded header at all."""

    def test_forwarded_headers_are_ignored(self, app, users, db_session):
        browser = proxied_browser(app)
        redirect = browser.get("/account/password")
        assert redirect.headers["Location"].startswith("/login")
        response = browser.login(users.superadmin.email)
        assert response.headers["Location"] == "/"
        (event,) = sign_in_events(db_session)
        assert event.client_ip == "127.0.0.1"
