"""next= stays inside the app; every response carries the security headers; no caching of
anything a signed-in user sees."""

from __future__ import annotations

import pytest

from webadmin.auth.redirects import is_local_path

OUTSIDE = [
    "https://evil.example/",
    "http://evil.example",
    "//evil.example",
    "//evil.example/path",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "javascript:alert(1)",
    "evil.example",
    "songs/",
    "///evil.example",
    "/\tevil",
    "/\r\nLocation: https://evil.example",
    "",
    "https:/evil.example",
]


@pytest.mark.parametrize("target", OUTSIDE)
def test_next_outside_the_app_lands_on_the_dashboard(browser, users, target):
    response = browser.submit("/login", {"email": users.singer.email,
                                         "password": "correct horse battery staple"},
                              action="/login", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/account/password", "/songs/?q=a&sort=-title", "/"])
def test_next_inside_the_app_is_followed(browser, users, target):
    response = browser.submit("/login", {"email": users.singer.email,
                                         "password": "correct horse battery staple"},
                              query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == target


def test_next_survives_the_sign_in_form(browser, users):
    page = browser.get("/account/password")
    assert page.status_code == 302
    login_url = page.headers["Location"]
    assert login_url == "/login?next=/account/password"
    form = browser.get(login_url).get_data(as_text=True)
    assert 'action="/login?next=/account/password"' in form
    response = browser.submit(login_url, {"email": users.singer.email,
                                          "password": "correct horse battery staple"})
    assert response.headers["Location"] == "/account/password"


def test_an_outside_next_is_not_even_put_in_the_form(browser):
    html = browser.get("/login?next=https://evil.example/").get_data(as_text=True)
    assert "evil.example" not in html


@pytest.mark.parametrize("target", OUTSIDE)
def test_is_local_path_refuses(target):
    assert not is_local_path(target)


def test_a_form_post_after_the_session_ended_returns_to_the_form_page(browser, users):
    browser.login(users.singer.email)
    token = browser.token_for("/account/password")
    with browser.client.session_transaction() as sess:
        del sess["_user_id"]
    response = browser.client.post("/account/password", data={"csrf_token": token},
                                   headers={"Referer": "http://localhost/account/password"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/account/password"


SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
}


def assert_security_headers(response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'",
                      "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'",
                      "form-action 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response.headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin")
    assert response.headers["Permissions-Policy"]


@pytest.mark.parametrize("method,url,status", [
    ("GET", "/login", 200),
    ("GET", "/healthz", 200),
    ("GET", "/static/css/app.css", 200),
    ("GET", "/no/such/page", 404),
    ("GET", "/logout", 405),
    ("POST", "/login", 400),  # no CSRF token
    ("GET", "/account/password", 302),
])
def test_every_response_carries_the_security_headers(client, method, url, status):
    response = client.open(url, method=method)
    assert response.status_code == status
    assert_security_headers(response)
    response.close()


def test_sign_in_page_and_signed_in_pages_are_not_stored(browser, users):
    assert browser.get("/login").headers["Cache-Control"] == "no-store"
    browser.login(users.singer.email)
    for url in ("/account/password", "/no/such/page", "/healthz"):
        response = browser.get(url)
        assert response.headers["Cache-Control"] == "no-store", url
        assert_security_headers(response)


def test_static_files_are_cacheable_even_when_signed_in(browser, users):
    browser.login(users.singer.email)
    response = browser.get("/static/css/app.css")
    assert "no-store" not in response.headers.get("Cache-Control", "")
    response.close()


def test_anonymous_public_pages_are_not_forced_to_no_store(client):
    assert "no-store" not in client.get("/healthz").headers.get("Cache-Control", "")


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    secure = client.get("/healthz", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_pages_have_no_inline_script_or_style(browser, users):
    pages = [browser.get("/login").get_data(as_text=True)]
    browser.login(users.singer.email)
    pages.append(browser.get("/account/password").get_data(as_text=True))
    for html in pages:
        assert "style=" not in html
        for chunk in html.split("<script")[1:]:
            assert chunk.lstrip().startswith("src="), chunk[:80]
