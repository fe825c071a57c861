"""A database that can't be reached gives 503 with a page and Retry-After, never a 500.

These run on both backends: the app points at a closed port on loopback (connection refused at
once) or at a SQLite file that can't be opened. The real outage, with gunicorn and PostgreSQL
going away and coming back, is test_database_outage.py.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from tests.conftest import make_test_app
from webadmin.auth.permissions import allow, public
from webadmin.db import session
from webadmin.models import User, UserRole

CLOSED_PORT_DB = "postgresql+psycopg://postgres@127.0.0.1:1/none"


def outage_app(url: str = CLOSED_PORT_DB):
    app = make_test_app(url, DB_CONNECT_TIMEOUT=2, PROPAGATE_EXCEPTIONS=False)

    @app.get("/_test/count")
    @public
    def count_users():
        return {"users": len(session().scalars(select(User.id).where(
            User.email == "secret-param@example.test")).all())}

    @app.get("/_test/signed-in")
    @allow(UserRole.superadmin, UserRole.singer)
    def signed_in_page():
        return "hello"

    return app


def assert_friendly_503(response):
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    body = response.get_data(as_text=True)
    assert "Temporarily unavailable" in body and "try again" in body
    assert '<header class="topbar">' in body
    assert "Traceback" not in body and "SELECT" not in body and "psycopg" not in body


@pytest.mark.parametrize("url", [CLOSED_PORT_DB, "sqlite:////nonexistent-dir/x/webadmin.db"])
def test_a_page_that_needs_the_database_answers_503(url, capsys):
    response = outage_app(url).test_client().get("/_test/count")
    assert_friendly_503(response)
    warnings = [line for line in capsys.readouterr().err.splitlines()
                if "database unavailable" in line]
    assert len(warnings) == 1, warnings
    assert "secret-param" not in warnings[0] and "SELECT" not in warnings[0]
    assert f"request_id={response.headers['X-Request-ID']}" in warnings[0]


def test_json_clients_get_a_json_503():
    response = outage_app().test_client().get("/_test/count",
                                              headers={"Accept": "application/json"})
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.get_json()["error"]["status"] == 503


def test_the_user_loader_failing_gives_503_not_500():
    """A signed-in visitor's session makes Flask-Login query the database before the view."""
    client = outage_app().test_client()
    with client.session_transaction() as browser_session:
        browser_session["_user_id"] = "a-session-token-of-a-signed-in-user"
        browser_session["_fresh"] = True
    assert_friendly_503(client.get("/_test/signed-in"))
    # The 404 page's layout asks who the visitor is: still a 404, shown as to a signed-out one.
    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    body = missing.get_data(as_text=True)
    assert '<header class="topbar">' in body and "Page not found" in body
    assert "Traceback" not in body and "Sign out" not in body


def test_probes_during_an_outage():
    client = outage_app().test_client()
    assert client.get("/healthz").status_code == 200
    readyz = client.get("/readyz")
    assert readyz.status_code == 503 and readyz.get_json()["database"] == "unreachable"


@pytest.mark.postgres_only  # SQLite has no fixed-size pool; the pool timeout is a server setting
def test_a_full_pool_answers_503(migrated_database):
    """Pool exhausted (every connection busy past DB_POOL_TIMEOUT): 503, not a hang or 500."""
    app = make_test_app(migrated_database, DB_POOL_SIZE=1, DB_MAX_OVERFLOW=0,
                        DB_POOL_TIMEOUT=0.2, PROPAGATE_EXCEPTIONS=False)

    @app.get("/_test/query")
    @public
    def query():
        return {"one": session().execute(text("SELECT 1")).scalar()}

    from webadmin.db import get_db

    engine = get_db(app).engine
    held = engine.connect()  # the only connection of the pool
    try:
        assert_friendly_503(app.test_client().get("/_test/query"))
    finally:
        held.close()
    assert app.test_client().get("/_test/query").status_code == 200
    engine.dispose()
