"""Settings from the environment, validated once at start.

Every setting has a name, a parser and a default; ``load_settings`` reads them all and raises
``ConfigError`` with a message that says what to do, so a bad deployment fails at boot instead of
at the first request.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

WEAK_SECRETS = {"", "secret", "changeme", "change-me", "dev", "development", "please-change-me"}
MIN_SECRET_LENGTH = 32

# The checkout: templates, static files, migrations and the instance folder live here.
PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class ConfigError(RuntimeError):
    """A setting is missing or invalid; the message tells the operator how to fix it."""


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected true/false, got {raw!r}")


def _int(raw: str) -> int:
    return int(raw.strip())


def _nonneg_int(raw: str) -> int:
    value = int(raw.strip())
    if value < 0:
        raise ValueError("must be 0 or more")
    return value


def _positive_int(raw: str) -> int:
    value = int(raw.strip())
    if value < 1:
        raise ValueError("must be 1 or more")
    return value


def _float(raw: str) -> float:
    return float(raw.strip())


def _str(raw: str) -> str:
    return raw


# Stores that can count sign-in attempts: memory:// (one process) or Redis (shared).
SHARED_STORE_SCHEMES = ("redis", "rediss", "unix")
PER_PROCESS_STORE_SCHEMES = ("memory",)


def store_scheme(uri: str) -> str:
    return uri.split("://", 1)[0].strip().lower() if "://" in uri else ""


def _store_uri(raw: str) -> str:
    value = raw.strip()
    if store_scheme(value) not in SHARED_STORE_SCHEMES + PER_PROCESS_STORE_SCHEMES:
        # The URI may carry a Redis password: never echo it.
        raise ValueError("expected memory:// or redis://host:port/db")
    return value


def _choice(*choices: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip().lower()
        if value not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}, got {raw!r}")
        return value

    return parse


@dataclass(frozen=True)
class Setting:
    env: str
    key: str
    parse: Callable[[str], Any]
    default: Any
    help: str


# The single list of environment variables; README's configuration table mirrors it.
SETTINGS: tuple[Setting, ...] = (
    Setting("WEBADMIN_ENV", "ENV_NAME", _choice("production", "development", "testing"),
            "production", "production, development or testing"),
    Setting("SECRET_KEY", "SECRET_KEY", _str, None,
            "signs sessions and CSRF tokens; 32+ random characters (required in production)"),
    Setting("DATABASE_URL", "DATABASE_URL", _str, None,
            "SQLAlchemy URL; default: SQLite file instance/webadmin.db"),
    Setting("DB_POOL_SIZE", "DB_POOL_SIZE", _nonneg_int, 5,
            "connections kept per process (server DBs)"),
    Setting("DB_MAX_OVERFLOW", "DB_MAX_OVERFLOW", _nonneg_int, 10, "extra connections under burst"),
    Setting("DB_POOL_RECYCLE", "DB_POOL_RECYCLE", _int, 1800,
            "seconds before a connection is renewed"),
    Setting("DB_POOL_TIMEOUT", "DB_POOL_TIMEOUT", _float, 5.0,
            "seconds to wait for a free pooled connection"),
    Setting("DB_CONNECT_TIMEOUT", "DB_CONNECT_TIMEOUT", _nonneg_int, 5,
            "seconds to wait for the database to accept a connection"),
    Setting("DB_STATEMENT_TIMEOUT_MS", "DB_STATEMENT_TIMEOUT_MS", _nonneg_int, 30000,
            "PostgreSQL statement_timeout per connection, 0 = none"),
    Setting("SQL_ECHO", "SQL_ECHO", _bool, False, "log every SQL statement"),
    Setting("LIST_CACHE_SIZE", "LIST_CACHE_SIZE", _nonneg_int, 64,
            "list pages' data kept per process under the database snapshot they were read in "
            "(PostgreSQL), 0 = off"),
    Setting("LIST_CACHE_SECONDS", "LIST_CACHE_SECONDS", _positive_int, 60,
            "the longest a cached list page's data is reused, seconds"),
    Setting("RATELIMIT_STORAGE_URI", "RATELIMIT_STORAGE_URI", _store_uri, "memory://",
            "where sign-in attempts are counted: memory:// (this process only) or "
            "redis://host:6379/0 (shared by every worker and host; required in production "
            "with more than one worker)"),
    Setting("LOGIN_MAX_ATTEMPTS", "LOGIN_MAX_ATTEMPTS", _nonneg_int, 5,
            "failed sign-ins allowed per account and per address in the window"),
    Setting("LOGIN_LOCK_SECONDS", "LOGIN_LOCK_SECONDS", _nonneg_int, 900,
            "length of the sign-in throttling window, seconds"),
    Setting("SESSION_COOKIE_SECURE", "SESSION_COOKIE_SECURE", _bool, None,
            "force Secure cookies; default: on in production"),
    Setting("SESSION_LIFETIME_MINUTES", "SESSION_LIFETIME_MINUTES", _positive_int, 480,
            "idle session lifetime: a session unused this long ends"),
    Setting("SESSION_ABSOLUTE_HOURS", "SESSION_ABSOLUTE_HOURS", _positive_int, 12,
            "absolute session lifetime: every session ends this long after sign-in, however "
            "much it is used"),
    Setting("PROXY_FIX_X_FOR", "PROXY_FIX_X_FOR", _nonneg_int, 0,
            "number of proxies trusted for X-Forwarded-For"),
    Setting("PROXY_FIX_X_PROTO", "PROXY_FIX_X_PROTO", _nonneg_int, 0,
            "number of proxies trusted for X-Forwarded-Proto"),
    Setting("PROXY_FIX_X_HOST", "PROXY_FIX_X_HOST", _nonneg_int, 0,
            "number of proxies trusted for X-Forwarded-Host"),
    Setting("PROXY_FIX_X_PORT", "PROXY_FIX_X_PORT", _nonneg_int, 0,
            "number of proxies trusted for X-Forwarded-Port"),
    Setting("PROXY_FIX_X_PREFIX", "PROXY_FIX_X_PREFIX", _nonneg_int, 0,
            "number of proxies trusted for X-Forwarded-Prefix"),
    Setting("MAX_CONTENT_LENGTH", "MAX_CONTENT_LENGTH", _nonneg_int, 2 * 1024 * 1024,
            "largest request body in bytes (413 above)"),
    # Uploaded media (audio, cover art): webadmin/media. Credentials for s3 come from the
    # standard AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY environment (never from a setting).
    Setting("MEDIA_STORAGE", "MEDIA_STORAGE", _choice("local", "s3"), "local",
            "where uploads are kept: local (a directory) or s3 (S3-compatible object storage)"),
    Setting("MEDIA_LOCAL_ROOT", "MEDIA_LOCAL_ROOT", _str, None,
            "directory of the local storage; default: instance/media"),
    Setting("MEDIA_S3_BUCKET", "MEDIA_S3_BUCKET", _str, "", "bucket (required with s3)"),
    Setting("MEDIA_S3_ENDPOINT_URL", "MEDIA_S3_ENDPOINT_URL", _str, "",
            "S3-compatible endpoint, e.g. https://s3.example.com (empty: AWS)"),
    Setting("MEDIA_S3_REGION", "MEDIA_S3_REGION", _str, "", "region of the bucket (optional)"),
    Setting("MEDIA_S3_PREFIX", "MEDIA_S3_PREFIX", _str, "", "key prefix inside the bucket"),
    Setting("MEDIA_MAX_AUDIO_BYTES", "MEDIA_MAX_AUDIO_BYTES", _nonneg_int, 200 * 1024 * 1024,
            "largest audio upload in bytes (413 above; the upload route only)"),
    Setting("MEDIA_MAX_IMAGE_BYTES", "MEDIA_MAX_IMAGE_BYTES", _nonneg_int, 20 * 1024 * 1024,
            "largest cover image upload in bytes (413 above)"),
    Setting("MEDIA_MAX_IMAGE_PIXELS", "MEDIA_MAX_IMAGE_PIXELS", _nonneg_int, 25_000_000,
            "largest cover image in pixels (width × height); larger ones are refused"),
    Setting("MEDIA_ACCEL_REDIRECT", "MEDIA_ACCEL_REDIRECT", _str, "",
            "behind nginx: internal location prefix (e.g. /_media/) served by X-Accel-Redirect "
            "(local storage); empty: the app streams the file"),
    Setting("LOG_FORMAT", "LOG_FORMAT", _choice("text", "json"), "text", "text or json"),
    Setting("LOG_LEVEL", "LOG_LEVEL", _choice("debug", "info", "warning", "error"), "info",
            "debug, info, warning or error"),
    Setting("DEFAULT_LOCALE", "DEFAULT_LOCALE", _str, "en", "reference locale for translations"),
)


def load_settings(environ: Mapping[str, str], instance_path: str,
                  overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Read every setting; ``overrides`` (a test's or a caller's dict) win over the environment."""
    overrides = dict(overrides or {})
    settings: dict[str, Any] = {}
    errors: list[str] = []
    for setting in SETTINGS:
        if setting.key in overrides:
            settings[setting.key] = overrides.pop(setting.key)
            continue
        raw = environ.get(setting.env)
        if raw is None:
            settings[setting.key] = setting.default
            continue
        try:
            settings[setting.key] = setting.parse(raw)
        except ValueError as exc:
            errors.append(f"{setting.env}: {exc}")
    if errors:
        raise ConfigError("Invalid configuration:\n  " + "\n  ".join(errors))
    settings.update(overrides)

    env_name = settings["ENV_NAME"]
    settings["TESTING"] = settings.get("TESTING", env_name == "testing")
    settings["DEBUG"] = settings.get("DEBUG", env_name == "development")
    relaxed = settings["TESTING"] or settings["DEBUG"]

    if not settings.get("DATABASE_URL"):
        db_file = Path(instance_path) / "webadmin.db"
        settings["DATABASE_URL"] = f"sqlite:///{db_file}"

    secret = settings.get("SECRET_KEY")
    if not secret:
        if not relaxed:
            raise ConfigError(
                "SECRET_KEY is not set. Generate one with\n"
                "  python -c 'import secrets; print(secrets.token_urlsafe(48))'\n"
                "and export it as SECRET_KEY (or set WEBADMIN_ENV=development on a laptop).")
        settings["SECRET_KEY"] = os.urandom(32).hex()
    elif not relaxed and (secret.lower() in WEAK_SECRETS or len(secret) < MIN_SECRET_LENGTH):
        raise ConfigError(
            f"SECRET_KEY is too weak: use at least {MIN_SECRET_LENGTH} random characters, e.g.\n"
            "  python -c 'import secrets; print(secrets.token_urlsafe(48))'")

    if settings["SESSION_COOKIE_SECURE"] is None:
        settings["SESSION_COOKIE_SECURE"] = not relaxed
    return settings


def database_url(environ: Mapping[str, str], instance_path: str) -> str:
    """DATABASE_URL alone, for tools (Alembic) that need no secret key."""
    url = environ.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{Path(instance_path) / 'webadmin.db'}"


def _setting(environ: Mapping[str, str], env: str) -> Any:
    """One setting as the app will read it (its default when unset or invalid: the app itself
    reports an invalid value at start)."""
    setting = next(s for s in SETTINGS if s.env == env)
    raw = environ.get(env)
    try:
        return setting.default if raw is None else setting.parse(raw)
    except ValueError:
        return setting.default


def describe_throttling_store(environ: Mapping[str, str]) -> str:
    """Where sign-in attempts are counted, in words, without any password of the store's URI."""
    uri = _setting(environ, "RATELIMIT_STORAGE_URI")
    scheme = store_scheme(uri)
    if scheme in PER_PROCESS_STORE_SCHEMES:
        return ("sign-in attempts are counted in memory:// - each worker process counts on its "
                "own; use RATELIMIT_STORAGE_URI=redis://host:6379/0 to share the count")
    parts = urlsplit(uri)
    where = parts.path if scheme == "unix" else f"{parts.hostname}:{parts.port or 6379}{parts.path}"
    return f"sign-in attempts are counted in Redis at {where} - shared by every worker and host"


def per_process_throttling_problem(environ: Mapping[str, str], workers: int) -> str | None:
    """Why ``workers`` processes must not serve with this configuration, or None.

    A per-process store counts sign-in attempts in each worker on its own, so N workers would let
    an account be guessed N x LOGIN_MAX_ATTEMPTS times. A laptop (development, testing) may run
    so; production must count in a shared store or run a single worker.
    """
    if workers <= 1 or _setting(environ, "WEBADMIN_ENV") != "production":
        return None
    if not _setting(environ, "LOGIN_MAX_ATTEMPTS") or not _setting(environ, "LOGIN_LOCK_SECONDS"):
        return None  # throttling switched off: nothing to share
    if store_scheme(_setting(environ, "RATELIMIT_STORAGE_URI")) not in PER_PROCESS_STORE_SCHEMES:
        return None
    attempts = _setting(environ, "LOGIN_MAX_ATTEMPTS")
    return (
        f"RATELIMIT_STORAGE_URI=memory:// counts sign-in attempts in each worker process on its "
        f"own: with {workers} workers an account could be guessed {workers} x {attempts} times "
        f"instead of {attempts}. Set RATELIMIT_STORAGE_URI=redis://host:6379/0 (shared by every "
        "worker), or run one worker (GUNICORN_WORKERS=1). On a laptop, WEBADMIN_ENV=development "
        "allows per-process counting.")
