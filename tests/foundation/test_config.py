"""Settings are validated at start with messages that say what to do."""

from __future__ import annotations

import pytest

from webadmin.config import ConfigError, load_settings


def test_production_refuses_a_missing_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        load_settings({}, str(tmp_path))


@pytest.mark.parametrize("weak", ["changeme", "short-but-random", "secret"])
def test_production_refuses_a_weak_secret_key(tmp_path, weak):
    with pytest.raises(ConfigError, match="too weak"):
        load_settings({"SECRET_KEY": weak}, str(tmp_path))


def test_development_gets_a_random_key_and_sqlite_default(tmp_path):
    settings = load_settings({"WEBADMIN_ENV": "development"}, str(tmp_path))
    assert len(settings["SECRET_KEY"]) >= 32
    assert settings["DATABASE_URL"] == f"sqlite:///{tmp_path / 'webadmin.db'}"
    assert settings["SESSION_COOKIE_SECURE"] is False


def test_production_defaults_to_secure_cookies(tmp_path):
    settings = load_settings({"SECRET_KEY": "x" * 48}, str(tmp_path))
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["DB_POOL_SIZE"] == 5


def test_bad_values_are_reported_together(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_settings({"SECRET_KEY": "x" * 48, "DB_POOL_SIZE": "-3", "LOG_FORMAT": "xml"},
                      str(tmp_path))
    assert "DB_POOL_SIZE" in str(caught.value) and "LOG_FORMAT" in str(caught.value)


def test_readme_documents_every_setting():
    from pathlib import Path

    from webadmin import PROJECT_ROOT
    from webadmin.config import SETTINGS

    readme = (Path(PROJECT_ROOT) / "README.md").read_text()
    missing = [s.env for s in SETTINGS if f"`{s.env}`" not in readme]
    assert not missing, f"README's configuration table lacks {missing}"


@pytest.mark.postgres_only
def test_postgresql_connections_run_without_jit_and_with_the_statement_timeout(database_url):
    from sqlalchemy import text

    from webadmin.db import make_engine

    engine = make_engine({"DATABASE_URL": database_url, "DB_CONNECT_TIMEOUT": 5,
                          "DB_STATEMENT_TIMEOUT_MS": 1234, "DB_POOL_SIZE": 1,
                          "DB_MAX_OVERFLOW": 0, "DB_POOL_RECYCLE": 60, "DB_POOL_TIMEOUT": 5})
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SHOW jit")).scalar() == "off"
            assert connection.execute(text("SHOW statement_timeout")).scalar() == "1234ms"
    finally:
        engine.dispose()
