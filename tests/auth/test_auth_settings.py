"""The sign-in and session settings are validated at start, with messages that say what to do."""

from __future__ import annotations

import pytest

from webadmin.config import ConfigError, load_settings

DEV = {"WEBADMIN_ENV": "development"}


def test_defaults(tmp_path):
    settings = load_settings(DEV, str(tmp_path))
    assert settings["SESSION_ABSOLUTE_HOURS"] == 12
    assert settings["SESSION_LIFETIME_MINUTES"] == 480
    assert settings["RATELIMIT_STORAGE_URI"] == "memory://"


@pytest.mark.parametrize("name,value", [
    ("SESSION_ABSOLUTE_HOURS", "0"),  # a session that never ends is not an option
    ("SESSION_ABSOLUTE_HOURS", "-1"),
    ("SESSION_ABSOLUTE_HOURS", "twelve"),
    ("SESSION_LIFETIME_MINUTES", "0"),  # every session would be dead on arrival
    ("RATELIMIT_STORAGE_URI", "memcached://127.0.0.1:11211"),
    ("RATELIMIT_STORAGE_URI", "127.0.0.1:6379"),
])
def test_bad_values_stop_the_app_naming_the_setting(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name):
        load_settings({**DEV, name: value}, str(tmp_path))


def test_a_bad_store_uri_is_reported_without_its_password(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_settings({**DEV, "RATELIMIT_STORAGE_URI": "redsi://:s3cret-pass@cache:6379/0"},
                      str(tmp_path))
    assert "s3cret-pass" not in str(caught.value)
    assert "redis://host:port/db" in str(caught.value)


@pytest.mark.parametrize("uri", ["memory://", "redis://cache:6379/0", "rediss://:pw@cache:6380/1",
                                 "unix:///run/redis.sock"])
def test_store_uris_that_are_accepted(tmp_path, uri):
    assert load_settings({**DEV, "RATELIMIT_STORAGE_URI": uri},
                         str(tmp_path))["RATELIMIT_STORAGE_URI"] == uri
