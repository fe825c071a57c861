"""PostgreSQL goes away under a running gunicorn and comes back: 503s with a page meanwhile,
no 500, no crashed worker, and the same workers serve normally again without a restart.

PostgreSQL only (the SQLite pass skips it). Each gunicorn gets a database of its own
(``<test db>_outage``), created and migrated here and dropped at the end.
"""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from tests.helpers import DEFAULT_PASSWORD, csrf_token_from
from tests.production.servers import (
    HttpClient,
    TcpProxy,
    create_superadmin,
    dedicated_database,
    free_port,
    gunicorn_env,
    start_gunicorn,
    terminate_backends,
    wait_for,
)

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow]

ADMIN_EMAIL = "outage-admin@example.test"
SIGNED_IN_PAGE = "/account/password"  # needs the user loader, i.e. the database
ROUNDS = 12


@pytest.fixture(scope="module")
def outage_database(database_url, tmp_path_factory):
    with dedicated_database(database_url, "outage", tmp_path_factory.mktemp("outage")) as url:
        create_superadmin(url, ADMIN_EMAIL)
        yield url


def outage_env(url: str):
    # Plain http straight to gunicorn here, so the session cookie may travel without TLS.
    # Outages here are refused connections (answered at once), so generous timeouts cost nothing
    # and keep a loaded CI machine from turning a slow-but-healthy connect into a 503.
    return gunicorn_env(url, SESSION_COOKIE_SECURE="false", DB_CONNECT_TIMEOUT="10",
                        DB_POOL_TIMEOUT="10")


@pytest.fixture
def server(request, tmp_path):
    """start(url) → a running gunicorn, stopped when the test ends."""
    started = []

    def start(url: str, name: str = "gunicorn"):
        gunicorn = start_gunicorn(tmp_path / name, outage_env(url), name)
        started.append(gunicorn)
        return gunicorn

    yield start
    for gunicorn in started:
        gunicorn.stop()


def sign_in(client: HttpClient) -> None:
    token = csrf_token_from(client.get("/login").body)
    reply = client.post_form("/login", {"email": ADMIN_EMAIL, "password": DEFAULT_PASSWORD,
                                        "csrf_token": token})
    assert reply.status == 302, reply.body
    assert client.get(SIGNED_IN_PAGE).status == 200


def assert_friendly_503(reply) -> None:
    assert reply.status == 503, reply.body[:500]
    assert int(reply.headers["Retry-After"]) > 0
    assert "Temporarily unavailable" in reply.body
    assert "Traceback" not in reply.body and "psycopg" not in reply.body


def statuses(client: HttpClient, paths=(SIGNED_IN_PAGE, "/readyz", "/")) -> list[int]:
    return [client.get(path).status for _ in range(ROUNDS // len(paths)) for path in paths]


def test_terminated_backends_are_replaced_without_500s(outage_database, server):
    gunicorn = server(outage_database)
    workers = gunicorn.workers()
    client = HttpClient("http", gunicorn.port)
    sign_in(client)
    assert set(statuses(client)) == {200}  # every worker now holds pooled connections

    assert terminate_backends(outage_database) > 0
    after = statuses(client)
    assert 500 not in after and set(after) <= {200, 503}, after
    assert set(statuses(client)) == {200}
    assert gunicorn.workers() == workers and gunicorn.process.poll() is None
    assert "Traceback" not in gunicorn.logs()


def test_a_database_on_a_closed_port_gives_503_pages(outage_database, server):
    signed_in = HttpClient("http", server(outage_database, "reachable").port)
    sign_in(signed_in)  # a valid session cookie, signed with the same SECRET_KEY

    closed = make_url(outage_database).set(port=free_port()).render_as_string(
        hide_password=False)
    gunicorn = server(closed, "closed-port")
    client = HttpClient("http", gunicorn.port, timeout=15)  # well past the connect timeout
    client.cookies = dict(signed_in.cookies)
    assert_friendly_503(client.get(SIGNED_IN_PAGE))
    assert_friendly_503(client.get("/"))
    assert client.get("/readyz").status == 503
    assert client.get("/healthz").status == 200
    json_reply = client.get(SIGNED_IN_PAGE, headers={"Accept": "application/json"})
    assert json_reply.status == 503 and '"status":503' in json_reply.body.replace(" ", "")
    logs = gunicorn.logs()
    assert "database unavailable" in logs
    assert "Traceback" not in logs and "[parameters" not in logs


def test_the_same_workers_recover_when_the_database_returns(outage_database, server):
    url = make_url(outage_database)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    proxy.start()
    try:
        gunicorn = server(url.set(port=proxy.port).render_as_string(hide_password=False))
        master, workers = gunicorn.master_pid, gunicorn.workers()
        client = HttpClient("http", gunicorn.port, timeout=15)
        sign_in(client)
        assert set(statuses(client)) == {200}

        proxy.stop()  # the database is gone: refused connections, open ones cut
        down = [client.get(SIGNED_IN_PAGE) for _ in range(4)]
        for reply in down:
            assert_friendly_503(reply)
        assert client.get("/readyz").status == 503
        assert client.get("/healthz").status == 200

        proxy.start()  # back, same address
        wait_for(lambda: client.get(SIGNED_IN_PAGE).status == 200, 30,
                 "the app to serve again", interval=0.5)
        assert set(statuses(client)) == {200}
        assert gunicorn.master_pid == master and gunicorn.workers() == workers
        assert gunicorn.process.poll() is None
        assert "Traceback" not in gunicorn.logs()
    finally:
        proxy.stop()
