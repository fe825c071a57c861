"""Error pages: in the layout, JSON for JSON-only clients, never a stack trace."""

from __future__ import annotations

import pytest
from flask import abort, request

from tests.conftest import make_test_app
from webadmin.auth.permissions import public

THREE_MB = 3 * 1024 * 1024


@pytest.fixture
def app_config():
    return {"PROPAGATE_EXCEPTIONS": False}


@pytest.fixture
def error_routes(app):
    """Routes of the test's own app that fail on purpose (the product has none)."""

    @app.get("/_test/abort/<int:status>")
    @public
    def abort_with(status):
        abort(status)

    @app.get("/_test/crash")
    @public
    def crash():
        raise RuntimeError("password=hunter2 in a stack frame")

    @app.post("/_test/upload")
    @public
    def upload():
        return {"fields": len(request.form)}

    return app


def assert_page_in_layout(response, status, title):
    assert response.status_code == status
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert '<header class="topbar">' in body  # the layout
    assert f">{status}<" in body and title in body
    assert response.headers["X-Request-ID"] in body
    assert "Traceback" not in body and 'File "' not in body
    assert response.headers["Cache-Control"] == "no-store"
    return body


@pytest.mark.parametrize(("status", "title"), [
    (400, "Bad request"), (403, "Not allowed"), (404, "Page not found"),
    (405, "Method not allowed"), (413, "Too large"), (429, "Too many requests"),
    (500, "Something went wrong"), (503, "Temporarily unavailable"),
])
def test_each_error_has_a_page_in_the_layout(client, error_routes, status, title):
    assert_page_in_layout(client.get(f"/_test/abort/{status}"), status, title)


@pytest.mark.parametrize(("status", "title"), [(409, "Conflict"), (422, "Unprocessable Entity")])
def test_other_statuses_get_the_same_page(client, error_routes, status, title):
    assert_page_in_layout(client.get(f"/_test/abort/{status}"), status, title)


def test_unknown_page_is_404_in_the_layout(client):
    body = assert_page_in_layout(client.get("/no/such/page"), 404, "Page not found")
    assert 'href="/login"' in body  # an anonymous visitor is offered the sign-in


def test_wrong_method_is_405_with_allow(client):
    response = client.post("/healthz")
    assert_page_in_layout(response, 405, "Method not allowed")
    assert "GET" in response.headers["Allow"]


def test_head_works(client):
    response = client.head("/healthz")
    assert response.status_code == 200 and response.get_data() == b""
    missing = client.head("/no/such/page")
    assert missing.status_code == 404 and missing.get_data() == b""


def test_crash_is_a_500_page_without_internals(client, error_routes):
    body = assert_page_in_layout(client.get("/_test/crash"), 500, "Something went wrong")
    assert "hunter2" not in body and "RuntimeError" not in body


@pytest.mark.parametrize("status", [400, 403, 404, 405, 413, 429, 500, 503])
def test_json_only_clients_get_json(client, error_routes, status):
    response = client.get(f"/_test/abort/{status}", headers={"Accept": "application/json"})
    assert response.status_code == status
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == status
    assert error["request_id"] == response.headers["X-Request-ID"]
    assert error["title"] and error["message"]


@pytest.mark.parametrize("accept", ["text/html", "*/*", "text/html,application/json;q=0.9",
                                    "application/json, text/html"])
def test_browsers_and_mixed_accepts_get_html(client, accept):
    response = client.get("/no/such/page", headers={"Accept": accept})
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_a_body_over_the_limit_is_413(client, error_routes):
    response = client.post("/_test/upload", data={"blob": "x" * THREE_MB})
    body = assert_page_in_layout(response, 413, "Too large")
    assert "2 MB" in body


def test_a_body_under_the_limit_is_read(app, error_routes):
    app.config["WTF_CSRF_ENABLED"] = False  # only the size matters here
    response = app.test_client().post("/_test/upload", data={"a": "1", "b": "2"})
    assert response.status_code == 200 and response.get_json() == {"fields": 2}


def test_production_runs_without_debug(tmp_path):
    app = make_test_app(f"sqlite:///{tmp_path / 'x.db'}", ENV_NAME="production",
                        TESTING=False, DEBUG=False)
    assert app.debug is False and app.config["DEBUG"] is False
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_production_settings_default_to_no_debug(tmp_path):
    from webadmin.config import load_settings

    settings = load_settings({"SECRET_KEY": "k" * 48}, str(tmp_path))
    assert settings["DEBUG"] is False and settings["TESTING"] is False
