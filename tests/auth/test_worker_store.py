"""A limit that is the limit whatever the deployment: several worker processes must not count
sign-in attempts each on its own in production.

gunicorn.conf.py's ``on_starting`` asks webadmin.config before binding: production with more
than one worker and a per-process store (memory://) refuses to start with one clear message;
with Redis it starts and says where attempts are counted.
"""

from __future__ import annotations

import secrets
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from tests.auth.support import REDIS_URI
from tests.helpers import csrf_token_from
from tests.production.servers import (
    GUNICORN,
    HttpClient,
    create_superadmin,
    dedicated_database,
    gunicorn_env,
    start_gunicorn,
)
from webadmin import PROJECT_ROOT
from webadmin.config import describe_throttling_store, per_process_throttling_problem
from webadmin.models import AuditEvent

REFUSAL = "counts sign-in attempts in each worker process on its own"


@pytest.mark.parametrize("environ,workers,refused", [
    ({"RATELIMIT_STORAGE_URI": "memory://"}, 2, True),  # production is the default
    ({"WEBADMIN_ENV": "production", "RATELIMIT_STORAGE_URI": "memory://"}, 9, True),
    ({}, 2, True),  # memory:// is the default store
    ({"WEBADMIN_ENV": "production", "RATELIMIT_STORAGE_URI": "memory://"}, 1, False),
    ({"WEBADMIN_ENV": "production", "RATELIMIT_STORAGE_URI": "redis://r:6379/0"}, 9, False),
    ({"WEBADMIN_ENV": "development", "RATELIMIT_STORAGE_URI": "memory://"}, 9, False),
    ({"WEBADMIN_ENV": "testing"}, 4, False),
    ({"LOGIN_MAX_ATTEMPTS": "0"}, 4, False),  # throttling off: nothing to share
])
def test_which_deployments_may_count_per_process(environ, workers, refused):
    problem = per_process_throttling_problem(environ, workers)
    assert (problem is not None) == refused
    if refused:
        assert REFUSAL in problem and f"with {workers} workers" in problem
        assert "RATELIMIT_STORAGE_URI=redis://" in problem and "GUNICORN_WORKERS=1" in problem


def test_the_store_is_described_without_its_password():
    described = describe_throttling_store(
        {"RATELIMIT_STORAGE_URI": "redis://:hunter2-secret@cache.internal:6380/3"})
    assert described == ("sign-in attempts are counted in Redis at cache.internal:6380/3 - "
                         "shared by every worker and host")
    assert "each worker process counts on its own" in describe_throttling_store({})


def run_gunicorn(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environ = gunicorn_env(f"sqlite:///{tmp_path / 'unused.db'}", **env)
    return subprocess.run(  # noqa: S603 - our own command line
        [str(GUNICORN), "-c", "gunicorn.conf.py", *args, "wsgi:app"], cwd=PROJECT_ROOT,
        env=environ, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


@pytest.mark.slow
@pytest.mark.parametrize("args,env", [
    ((), {"GUNICORN_WORKERS": "2"}),
    (("--workers", "2"), {"GUNICORN_WORKERS": "1"}),  # the command line's count is the one
])
def test_production_refuses_two_workers_counting_in_memory(tmp_path, args, env):
    result = run_gunicorn(tmp_path, *args, RATELIMIT_STORAGE_URI="memory://", **env)
    assert result.returncode != 0
    assert REFUSAL in result.stderr
    assert "Listening at" not in result.stderr  # refused before binding
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_production_starts_two_workers_counting_in_redis(tmp_path):
    env = gunicorn_env(f"sqlite:///{tmp_path / 'unused.db'}",
                       RATELIMIT_STORAGE_URI=REDIS_URI)
    server = start_gunicorn(tmp_path, env)  # waits for both workers and /healthz
    try:
        assert len(server.workers()) == 2
    finally:
        server.stop()
    assert "sign-in attempts are counted in Redis at 127.0.0.1:6379/11" in server.logs()


@pytest.mark.slow
@pytest.mark.postgres_only  # two workers committing failed attempts at once: SQLite locks
def test_two_workers_behind_a_proxy_check_at_most_the_limit_together(
        tmp_path, database_url, redis_client):
    """The reported attack, end to end: gunicorn with 2 workers x 4 threads counting in Redis,
    one trusted proxy hop, 40 wrong passwords for one account sent at once, each with another
    X-Forwarded-For. Every checked wrong password leaves one auth.sign_in_failed entry."""
    limit, guesses = 5, 40
    with dedicated_database(database_url, "workers", tmp_path / "db") as url:
        email = f"workers-{secrets.token_hex(6)}@example.test"
        create_superadmin(url, email)
        env = gunicorn_env(url, RATELIMIT_STORAGE_URI=REDIS_URI, GUNICORN_THREADS="4",
                           LOGIN_MAX_ATTEMPTS=str(limit), LOGIN_LOCK_SECONDS="60",
                           PROXY_FIX_X_FOR="1", SESSION_COOKIE_SECURE="false")
        server = start_gunicorn(tmp_path, env)
        try:
            clients = [HttpClient("http", server.port) for _ in range(guesses)]
            tokens = [csrf_token_from(client.get("/login").body) for client in clients]
            start = threading.Barrier(guesses)

            def guess(n: int) -> int:
                start.wait(timeout=30)
                return clients[n].post_form(
                    "/login", {"email": email, "password": "a wrong guess 123",
                               "csrf_token": tokens[n]},
                    headers={"X-Forwarded-For": f"198.51.100.{n + 1}"}).status
            with ThreadPoolExecutor(max_workers=guesses) as pool:
                statuses = list(pool.map(guess, range(guesses), timeout=120))
        finally:
            server.stop()
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                failed = connection.scalar(select(func.count()).select_from(AuditEvent).where(
                    AuditEvent.action == "auth.sign_in_failed"))
        finally:
            engine.dispose()
    assert failed == limit, f"{failed} passwords checked by 2 workers"
    assert sorted(statuses) == [200] * limit + [429] * (guesses - limit)
