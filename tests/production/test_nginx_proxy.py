"""Through a real nginx (Debian's, TLS on 127.0.0.1) in front of gunicorn (2 workers), with the
app mounted under /admin and the proxy settings of deploy/: what a client sees is right.

nginx uses deploy/nginx/proxy_params.conf as shipped. Everything started here is stopped by the
fixtures' finalizers (process groups, SIGTERM then SIGKILL).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from tests.helpers import DEFAULT_PASSWORD, csrf_token_from
from tests.production.servers import (
    HttpClient,
    create_superadmin,
    dedicated_database,
    gunicorn_env,
    start_gunicorn,
    start_nginx,
    wait_for,
)
from webadmin import PROJECT_ROOT
from webadmin.models import AuditEvent

pytestmark = pytest.mark.slow

ADMIN_EMAIL = "proxy-admin@example.test"
PROXY_PARAMS = Path(PROJECT_ROOT) / "deploy" / "nginx" / "proxy_params.conf"
THREE_MB = 3 * 1024 * 1024


@pytest.fixture(scope="module")
def site_database(database_url, tmp_path_factory):
    with dedicated_database(database_url, "proxy", tmp_path_factory.mktemp("proxy-db")) as url:
        create_superadmin(url, ADMIN_EMAIL)
        yield url


@pytest.fixture(scope="module")
def gunicorn(site_database, tmp_path_factory):
    env = gunicorn_env(site_database, PROXY_FIX_X_FOR="1", PROXY_FIX_X_PROTO="1",
                       PROXY_FIX_X_HOST="1", PROXY_FIX_X_PREFIX="1", LOG_FORMAT="json")
    server = start_gunicorn(tmp_path_factory.mktemp("gunicorn"), env)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def nginx(gunicorn, tmp_path_factory):
    server = start_nginx(tmp_path_factory.mktemp("nginx"), gunicorn.port, PROXY_PARAMS)
    yield server
    server.stop()


@pytest.fixture
def http(nginx) -> HttpClient:
    return HttpClient("http", nginx.http_port)


@pytest.fixture
def https(nginx) -> HttpClient:
    return HttpClient("https", nginx.https_port, nginx.ssl_context)


def sign_in_events(url: str) -> list[AuditEvent]:
    engine = create_engine(url)
    try:
        with Session(engine) as db:
            return list(db.scalars(select(AuditEvent).where(
                AuditEvent.action == "auth.sign_in").order_by(AuditEvent.id)))
    finally:
        engine.dispose()


def json_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]


def test_the_request_id_is_the_same_in_every_log(http, nginx, gunicorn):
    reply = http.get("/admin/healthz", headers={"X-Forwarded-For": "6.6.6.6"})
    assert reply.status == 200
    request_id = reply.headers["X-Request-ID"]
    assert request_id and len(request_id) == 32  # nginx's $request_id, passed on by the app
    wait_for(lambda: f"request_id={request_id}" in nginx.access_log(), 10, "nginx's log line")
    entry = wait_for(lambda: next((entry for entry in json_lines(gunicorn.access_log)
                                   if entry.get("request_id") == request_id), None),
                     10, "gunicorn's access log entry")
    # LOG_FORMAT=json: one object per line, with the real client and the app's status.
    assert entry["client_ip"] == "127.0.0.1"  # from X-Forwarded-For, not the client's 6.6.6.6
    assert entry["method"] == "GET" and entry["path"] == "/healthz"
    assert entry["status"] == 200 and entry["logger"] == "gunicorn.access"


def test_every_line_gunicorn_writes_is_json(gunicorn):
    """LOG_FORMAT=json covers gunicorn's own messages too (the app's records: unit tests)."""
    lines = [line for line in gunicorn.error_log.read_text().splitlines() if line.strip()]
    assert any("Booting worker" in line for line in lines)
    assert lines and all(line.startswith("{") for line in lines), lines[:5]
    for entry in map(json.loads, lines):
        assert {"ts", "level", "logger", "message"} <= entry.keys()


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_redirects_keep_the_scheme_host_and_prefix(nginx, scheme):
    client = HttpClient(scheme, nginx.https_port if scheme == "https" else nginx.http_port,
                        nginx.ssl_context)
    reply = client.get("/admin/account/password")
    assert reply.status == 302
    assert reply.headers["Location"].startswith(f"{client.origin}/admin/login?next=")


def test_headers_a_client_forges_are_replaced_by_nginx(http):
    reply = http.get("/admin/account/password", headers={
        "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Prefix": "/evil", "X-Forwarded-For": "6.6.6.6"})
    assert reply.headers["Location"].startswith(f"{http.origin}/admin/login")


def test_pages_link_under_the_prefix(https):
    page = https.get("/admin/login")
    assert page.status == 200
    assert 'action="/admin/login' in page.body
    assert 'href="/admin/static/css/app.css?v=' in page.body
    assert page.headers["Strict-Transport-Security"]  # the app knows the client used https


def test_sign_in_through_the_proxy(https, site_database):
    token = csrf_token_from(https.get("/admin/login").body)
    reply = https.post_form(
        "/admin/login", {"email": ADMIN_EMAIL, "password": DEFAULT_PASSWORD,
                         "csrf_token": token},
        headers={"Referer": f"{https.origin}/admin/login",
                 "X-Forwarded-For": "6.6.6.6"})  # a client's claim: not believed
    assert reply.status == 302, reply.body
    # An absolute https URL: the app built it from what nginx said the client used.
    assert reply.headers["Location"] == f"{https.origin}/admin/"
    session_cookie = next(value for value in reply.headers.get_all("Set-Cookie")
                          if value.startswith("session="))
    assert "Secure" in session_cookie and "HttpOnly" in session_cookie
    assert https.get("/admin/account/password").status == 200  # signed in

    events = sign_in_events(site_database)
    assert events, "no auth.sign_in audit entry"
    assert events[-1].client_ip == "127.0.0.1"  # the address nginx saw, not 6.6.6.6
    assert events[-1].request_id == reply.headers["X-Request-ID"]


def test_static_files_are_cacheable_by_the_proxy(https):
    page = https.get("/admin/login")
    start = page.body.index('href="/admin/static/css/app.css?v=') + len('href="')
    url = page.body[start:page.body.index('"', start)]
    reply = https.get(url)
    assert reply.status == 200
    cache_control = reply.headers["Cache-Control"]
    assert "immutable" in cache_control and "max-age=31536000" in cache_control


def test_an_oversized_body_gets_the_apps_413(http):
    reply = http.request("POST", "/admin/login", body=b"x" * THREE_MB,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 413
    assert "Too large" in reply.body and reply.headers["X-Request-ID"]
    # gunicorn closed the connection whose body it did not read; nginx must not hand the next
    # requests a 502 for it (deploy/nginx/proxy_params.conf keeps nginx's retry of GETs).
    assert [http.get("/admin/healthz").status for _ in range(4)] == [200] * 4


def test_errors_through_the_proxy_are_pages_without_traces(http):
    for method, path, status in [("GET", "/admin/no/such/page", 404),
                                 ("POST", "/admin/healthz", 405),
                                 ("HEAD", "/admin/healthz", 200)]:
        reply = http.request(method, path)
        assert reply.status == status
        assert "Traceback" not in reply.body
        assert reply.headers["X-Request-ID"]
