"""/healthz and /readyz."""

from __future__ import annotations

from tests.conftest import make_test_app
from tests.helpers import alembic_config, run_alembic


def test_healthz_answers_without_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_readyz_is_ready_on_a_migrated_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["database"] == "ok"


def test_readyz_is_503_when_not_migrated(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    app = make_test_app(url)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "not migrated"


def test_readyz_is_503_when_behind_the_head(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    run_alembic(alembic_config(url), "upgrade", "head")
    run_alembic(alembic_config(url), "downgrade", "base")
    response = make_test_app(url).test_client().get("/readyz")
    assert response.status_code == 503


def test_readyz_is_503_when_the_database_is_unreachable():
    # A closed port on loopback: connection refused at once, no hang.
    app = make_test_app("postgresql+psycopg://postgres@127.0.0.1:1/none",
                        DB_CONNECT_TIMEOUT=2)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"
    assert int(response.headers["Retry-After"]) > 0


def test_readyz_is_503_for_an_unopenable_sqlite_file(tmp_path):
    app = make_test_app(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
