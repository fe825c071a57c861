"""Text the database cannot store is refused where it enters, with a message, and changes nothing.

PostgreSQL refuses NUL in text and neither driver can encode a lone UTF-16 surrogate (which a
JSON escape such as ``\\ud800`` produces). Browsers never send either, an attacker's client can:
in a query string, a form, a list cursor, a JSON config value or an imported file. Each of these
answers 400 (request data) or a message next to the field or line (decoded JSON) — never a 500 —
on both backends.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re

import pytest

from tests.admin.support import field_error
from tests.auth.test_csrf_everywhere import fingerprint
from tests.factories import make_genre
from webadmin.admin.query import encode_cursor

SURROGATE = "\ud800"


def forged_cursor(sort: str, value: object, row_id: int = 1) -> str:
    raw = json.dumps([sort, value, row_id])  # ensure_ascii: the surrogate travels as \ud800
    assert "\\ud800" in raw or SURROGATE not in str(value)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def assert_refused_page(response, status: int = 400) -> str:
    assert response.status_code == status, response.status_code
    body = html.unescape(response.get_data(as_text=True))
    assert "Traceback" not in body
    return body


def test_a_cursor_holding_a_lone_surrogate_is_ignored(admin_browser, db_session):
    make_genre(db_session, name="Ambient", slug="ambient")
    db_session.commit()
    for param in ("after", "before"):
        response = admin_browser.get(f"/genres/?sort=name&{param}="
                                     + forged_cursor("name", "a" + SURROGATE))
        assert response.status_code == 200, (param, response.status_code)
        assert "Ambient" in response.get_data(as_text=True)  # the first page, cursor ignored
    # A well-formed cursor for the same sort still pages.
    good = encode_cursor("name", "A", 0)
    assert admin_browser.get(f"/genres/?sort=name&after={good}").status_code == 200


@pytest.mark.parametrize("value", ['["a\\ud800"]', '{"\\udfff": 1}', '"\\ud800\\u0041"'])
def test_a_json_config_value_with_a_lone_surrogate_is_a_field_error(admin_browser, db_session,
                                                                    value):
    before = fingerprint(db_session)
    response = admin_browser.submit("/config/new", {
        "key": "broken.json", "value_type": "json", "value": value, "description": ""})
    page = assert_refused_page(response, 422)
    assert field_error(page, "value") == (
        "The JSON contains an invalid character (a lone UTF-16 surrogate), which can't be "
        "stored.")
    assert fingerprint(db_session) == before


def test_an_escaped_nul_in_a_json_config_value_is_stored_escaped(admin_browser, db_session):
    """JSON text may say \\u0000: the stored canonical text keeps it escaped, so it is storable."""
    response = admin_browser.submit("/config/new", {
        "key": "nul.json", "value_type": "json", "value": '["a\\u0000b"]', "description": ""})
    assert response.status_code == 302


@pytest.mark.parametrize(("fmt", "data", "errors"), [
    ("json", b'{\n  "ok": "fine",\n  "bad": "x\\ud800y",\n  "k\\udc00": "v"\n}',
     ["Line 3: the value contains an invalid character (a lone UTF-16 surrogate)",
      "Line 4: the key contains an invalid character (a lone UTF-16 surrogate)"]),
])
def test_an_import_with_lone_surrogates_lists_the_lines(admin_browser, db_session, fmt, data,
                                                        errors):
    before = fingerprint(db_session)
    token_page = "/localization/import"
    response = admin_browser.submit(token_page, {
        "locale": "de", "file_format": fmt,
        "upload": (io.BytesIO(data), f"strings.{fmt}")},
        content_type="multipart/form-data")
    page = assert_refused_page(response, 422)
    error_list = page.split('<ul class="error-list">', 1)[1].split("</ul>", 1)[0]
    listed = [re.sub(r"<[^>]+>", "", item) for item in re.findall(r"<li>(.*?)</li>", error_list)]
    assert listed == errors
    assert fingerprint(db_session) == before


@pytest.mark.parametrize(("url", "data", "field"), [
    ("/genres/new", {"name": "Nul\x00Genre", "slug": "", "description": ""}, "name"),
    ("/genres/new", {"name": "Fine", "slug": "", "description": "a\x00b"}, "description"),
    ("/config/new", {"key": "nul.string", "value_type": "string", "value": "nul\x00byte"},
     "value"),
    ("/localization/new", {"key": "ok.key", "locale": "de", "value": "nul\x00"}, "value"),
])
def test_a_form_value_with_a_nul_is_a_field_error_and_input_is_kept(admin_browser, db_session,
                                                                    url, data, field):
    before = fingerprint(db_session)
    page = assert_refused_page(admin_browser.submit(url, data), 422)
    assert "NUL" in field_error(page, field)
    assert fingerprint(db_session) == before


def test_a_form_field_name_with_a_nul_is_refused_with_400(admin_browser, db_session):
    before = fingerprint(db_session)
    page = assert_refused_page(admin_browser.submit(
        "/genres/new", {"name": "Fine", "slug": "", "descr\x00iption": "x"}))
    assert "A field name contains a NUL byte, which can't be stored." in page
    assert fingerprint(db_session) == before


def test_an_upload_whose_file_name_holds_a_nul_is_refused_with_400(admin_browser, db_session):
    before = fingerprint(db_session)
    response = admin_browser.submit("/localization/import", {
        "locale": "de", "file_format": "json",
        "upload": (io.BytesIO(b'{"a": "b"}'), "strings\x00.json")},
        content_type="multipart/form-data")
    page = assert_refused_page(response)
    assert "The name of the file sent as “upload” contains a NUL byte" in page
    assert fingerprint(db_session) == before


@pytest.mark.parametrize("query", [
    "q=a%00b", "sort=name%00", "parent=%00", "after=%00", "per_page=25%00", "q%00=x"])
def test_a_query_string_with_a_nul_is_refused_with_400(admin_browser, query):
    page = assert_refused_page(admin_browser.get(f"/genres/?{query}"))
    name = query.split("=", 1)[0]
    expected = ("A query parameter name" if "%00" in name else f"The query parameter “{name}”")
    assert f"{expected} contains a NUL byte, which can't be stored." in page


def test_a_json_client_gets_the_reason_as_json(admin_browser):
    response = admin_browser.get("/genres/?q=%00", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert "NUL" in response.get_json()["error"]["detail"]


def test_invalid_utf8_in_a_query_string_is_not_a_surrogate(admin_browser):
    """Percent-encoded surrogate bytes (ED A0 80) are invalid UTF-8: decoded as U+FFFD, they are
    ordinary text and the search simply finds nothing."""
    response = admin_browser.get("/genres/?q=%ED%A0%80")
    assert response.status_code == 200


def test_a_multipart_part_without_a_usable_name_is_not_a_500(admin_browser, db_session):
    """Found by the long fuzz profile: a part named "\\r" reaches the app without a name."""
    before = fingerprint(db_session)
    response = admin_browser.submit("/localization/import", {
        "locale": "", "file_format": "csv", "\r": "",
        "upload": (io.BytesIO(b"key,value\n"), "strings.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert fingerprint(db_session) == before
