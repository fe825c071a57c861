"""Markup checks that need no browser (fast, run on every backend): valid ARIA on every form,
error messages tied to their fields."""

from __future__ import annotations

import re

import pytest

from tests.helpers import sign_in_session

ARIA_NONE = re.compile(r'aria-[a-z]+="(None|)"')


@pytest.mark.parametrize("path", ["/users/new", "/songs/new", "/genres/new", "/plans/new",
                                  "/localization/new", "/config/new", "/localization/import",
                                  "/account/password"])
def test_forms_render_no_empty_or_none_aria(client, users, path):
    sign_in_session(client, users.superadmin)
    html = client.get(path).get_data(as_text=True)
    assert "<form" in html
    assert not ARIA_NONE.findall(html), ARIA_NONE.findall(html)


def test_sign_in_page_renders_no_empty_or_none_aria(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'id="password"' in html
    assert not ARIA_NONE.findall(html)


def test_a_field_with_an_error_points_at_its_message(browser, users):
    sign_in_session(browser.client, users.superadmin)
    response = browser.submit("/genres/new", {"name": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    field = re.search(r'<input[^>]*id="name"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="name-error"' in field
    assert 'id="name-error"' in html
