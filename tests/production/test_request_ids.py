"""Every response carries X-Request-ID; the log lines of a request carry the same id."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import make_test_app

GENERATED = re.compile(r"[0-9a-f]{32}")
UNREACHABLE_DB = "postgresql+psycopg://postgres@127.0.0.1:1/none"


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/healthz", 200),
    ("HEAD", "/healthz", 200),
    ("GET", "/readyz", 200),
    ("GET", "/no-such-page", 404),
    ("POST", "/healthz", 405),
    ("GET", "/static/css/app.css", 200),
    ("GET", "/static/no-such-file.css", 404),
])
def test_every_response_carries_a_request_id(client, method, path, status):
    response = client.open(path, method=method)
    response.close()
    assert response.status_code == status
    assert GENERATED.fullmatch(response.headers["X-Request-ID"])


def test_each_request_gets_its_own_id(client):
    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


@pytest.mark.parametrize("incoming", ["abc-123", "nginx.7f3a_b9", "A" * 64])
def test_a_sane_id_from_the_proxy_is_kept(client, incoming):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert response.headers["X-Request-ID"] == incoming


@pytest.mark.parametrize("incoming", ["", "A" * 65, "has space", "semi;colon",
                                      "<script>", "ünïcode"])
def test_an_insane_id_is_replaced(client, incoming):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert GENERATED.fullmatch(response.headers["X-Request-ID"])


def test_a_500_carries_the_request_id_and_no_traceback(migrated_database):
    app = make_test_app(migrated_database, PROPAGATE_EXCEPTIONS=False)
    from webadmin.auth.permissions import public

    @app.get("/boom")
    @public
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom", headers={"X-Request-ID": "req-500"})
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "req-500"
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and "secret internals" not in body
    assert "req-500" in body  # the page quotes the reference


def unreachable_app(**settings):
    return make_test_app(UNREACHABLE_DB, DB_CONNECT_TIMEOUT=2, **settings)


def test_a_log_line_of_the_request_has_the_same_id(capsys):
    app = unreachable_app()
    response = app.test_client().get("/readyz")  # logs a warning: database unreachable
    assert response.status_code == 503
    request_id = response.headers["X-Request-ID"]
    lines = [line for line in capsys.readouterr().err.splitlines() if "readyz" in line]
    assert lines, "the readiness probe logged nothing"
    assert all(f"request_id={request_id}" in line for line in lines), lines
    assert all("client=127.0.0.1" in line for line in lines), lines


def test_json_logs_are_one_object_per_line_with_the_request_context(capsys):
    app = unreachable_app(LOG_FORMAT="json")
    response = app.test_client().get("/readyz", headers={"X-Request-ID": "json-req-1"})
    assert response.status_code == 503
    records = [json.loads(line) for line in capsys.readouterr().err.splitlines()
               if line.strip()]
    probe = [r for r in records if "readyz" in r["message"]]
    assert probe, records
    record = probe[0]
    assert record["request_id"] == "json-req-1"
    assert record["client_ip"] == "127.0.0.1"
    assert record["method"] == "GET" and record["path"] == "/readyz"
    assert record["level"] == "warning" and record["logger"] == "webadmin"
    assert {"ts", "message"} <= record.keys()


def test_the_request_id_is_in_g_before_any_before_request_hook(app):
    """Hooks that run first (even ones inserted at the front later) see the request's id."""
    from flask import g

    seen = []
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: seen.append(g.request_id))
    response = app.test_client().get("/healthz")
    assert seen == [response.headers["X-Request-ID"]]


def test_a_reused_app_context_does_not_leak_the_previous_id(app):
    client = app.test_client()
    with app.app_context():  # requests then share this app context (and its g)
        first = client.get("/healthz").headers["X-Request-ID"]
        from flask import g

        second = client.get("/healthz").headers["X-Request-ID"]
        assert first != second and g.request_id == second
