"""gunicorn settings, driven by the environment (README, "Deployment"; deploy/README.md).

    gunicorn -c gunicorn.conf.py wsgi:app

Workers are processes (CPU-bound work and crash isolation), threads serve concurrent requests in
each (waiting on the database). The access log shows the real client address — ``%(h)s`` is
REMOTE_ADDR after the app's ProxyFix rewrote it from the trusted X-Forwarded-For — and the
request id the app echoed in X-Request-ID. LOG_FORMAT=json (the app's own setting) turns
gunicorn's error and access logs into one JSON object per line, like the app's.
"""

import multiprocessing
import os

from webadmin.config import (
    ConfigError,
    describe_throttling_store,
    per_process_throttling_problem,
)


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
threads = _int("GUNICORN_THREADS", 4)  # > 1 selects gunicorn's gthread worker
timeout = _int("GUNICORN_TIMEOUT", 30)  # a worker silent this long is killed and replaced
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 20)  # SIGTERM: finish requests, then exit
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 0)  # recycle workers after N requests (0 = never)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 0)
proc_name = os.environ.get("GUNICORN_PROC_NAME", "webadmin")
pidfile = os.environ.get("GUNICORN_PIDFILE") or None
# The app's ProxyFix (PROXY_FIX_*) is the one place that believes X-Forwarded-* headers;
# gunicorn's own scheme handling stays off so the two can't disagree.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "")



def on_starting(server) -> None:
    """Before binding: production with several workers must count sign-in attempts in a shared
    store (each worker would count on its own with memory://). ``server.cfg.workers`` is the final
    count, command-line ``-w`` included. A ConfigError (a RuntimeError) makes gunicorn print the
    message and exit with status 1."""
    problem = per_process_throttling_problem(os.environ, server.cfg.workers)
    if problem:
        raise ConfigError(problem)
    server.log.info("%s", describe_throttling_store(os.environ))


loglevel = os.environ.get("LOG_LEVEL", "info").strip().lower()
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: no access log
access_log_format = (
    '%(h)s - %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms '
    "request_id=%({x-request-id}o)s"
)

if os.environ.get("LOG_FORMAT", "text").strip().lower() == "json":
    def _json_handler(stream: str) -> dict:
        return {"class": "logging.StreamHandler", "formatter": "json", "stream": stream}

    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        # The app puts its own handler on the root logger (webadmin.logging); gunicorn adds none.
        "root": {"level": loglevel.upper(), "handlers": []},
        "formatters": {"json": {"()": "webadmin.logging.JsonFormatter"}},
        "handlers": {
            "error_console": _json_handler("ext://sys.stderr"),
            "console": _json_handler("ext://sys.stdout"),
        },
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": ["error_console"],
                               "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }
