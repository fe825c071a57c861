"""The shipped deployment files are valid: nginx accepts the server block, gunicorn's settings
follow the environment."""

from __future__ import annotations

import multiprocessing
import runpy
import subprocess
from pathlib import Path

import pytest

from tests.production.servers import NGINX, make_certificate
from webadmin import PROJECT_ROOT

DEPLOY = Path(PROJECT_ROOT) / "deploy"
GUNICORN_CONF = Path(PROJECT_ROOT) / "gunicorn.conf.py"


@pytest.mark.slow
def test_nginx_accepts_the_shipped_server_block(tmp_path):
    make_certificate(tmp_path)
    site = (DEPLOY / "nginx" / "webadmin.conf").read_text()
    for live_path, test_path in [
        ("/etc/letsencrypt/live/admin.example.com/fullchain.pem", tmp_path / "cert.pem"),
        ("/etc/letsencrypt/live/admin.example.com/privkey.pem", tmp_path / "key.pem"),
        ("/etc/nginx/webadmin_proxy_params.conf", DEPLOY / "nginx" / "proxy_params.conf"),
        ("/var/log/nginx/", f"{tmp_path}/"),
    ]:
        assert live_path in site
        site = site.replace(live_path, str(test_path))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        f"events {{}}\nhttp {{\n  access_log off;\n  include {tmp_path}/site.conf;\n}}\n")
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [str(NGINX), "-t", "-q", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
         "-e", str(tmp_path / "error.log")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr + (tmp_path / "error.log").read_text()


def gunicorn_settings(monkeypatch, **env: str) -> dict:
    for name in ("GUNICORN_WORKERS", "GUNICORN_THREADS", "GUNICORN_BIND", "LOG_FORMAT",
                 "LOG_LEVEL", "GUNICORN_ACCESS_LOG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(GUNICORN_CONF))


def test_gunicorn_defaults(monkeypatch):
    settings = gunicorn_settings(monkeypatch)
    assert settings["workers"] == multiprocessing.cpu_count() * 2 + 1
    assert settings["bind"] == ["127.0.0.1:8000"]
    assert settings["threads"] > 1 and settings["graceful_timeout"] > 0
    assert settings["forwarded_allow_ips"] == ""  # the app's ProxyFix decides, not gunicorn
    assert "request_id=%({x-request-id}o)s" in settings["access_log_format"]
    assert "logconfig_dict" not in settings


def test_gunicorn_follows_the_environment(monkeypatch):
    settings = gunicorn_settings(monkeypatch, GUNICORN_WORKERS="3", GUNICORN_THREADS="8",
                                 GUNICORN_BIND="0.0.0.0:9000", LOG_FORMAT="json",
                                 GUNICORN_ACCESS_LOG="")
    assert (settings["workers"], settings["threads"]) == (3, 8)
    assert settings["bind"] == ["0.0.0.0:9000"]
    assert settings["accesslog"] is None
    formatter = settings["logconfig_dict"]["formatters"]["json"]["()"]
    assert formatter == "webadmin.logging.JsonFormatter"
