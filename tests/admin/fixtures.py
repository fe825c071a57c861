"""Signed-in browsers for the admin, songs and genres tests (imported by their conftests)."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.admin.support import signed_in
from tests.helpers import Browser, TestUsers


@pytest.fixture
def admin_browser(app: Flask, users: TestUsers) -> Browser:
    return signed_in(app, users.superadmin.email)


@pytest.fixture
def singer_browser(app: Flask, users: TestUsers) -> Browser:
    return signed_in(app, users.singer.email)


@pytest.fixture
def other_singer_browser(app: Flask, users: TestUsers) -> Browser:
    return signed_in(app, users.other_singer.email)
