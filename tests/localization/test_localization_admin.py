"""Localization end to end: CRUD, the missing-translations page, import (errors write nothing;
a valid file waits for confirmation) and export."""

from __future__ import annotations

import io
import json
import re

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.admin.support import field_error, form_values, public_ids, signed_in
from tests.factories import make_string, make_user
from webadmin.models import AuditEvent, LocalizationString, UserRole


def strings(db_session, locale):
    db_session.expire_all()
    return dict(db_session.execute(
        select(LocalizationString.key, LocalizationString.value).where(
            LocalizationString.locale == locale, LocalizationString.deleted_at.is_(None))).all())


def row_count(db_session):
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(LocalizationString))


def upload(browser, content: bytes, *, locale="de", fmt="json", filename="de.json"):
    """POST the import form as a browser would (multipart, with the page's CSRF token).

    The body is encoded in memory: the test client would spool a large one to a temporary
    file it never closes."""
    fields = {"csrf_token": browser.token_for("/localization/import"), "locale": locale,
              "file_format": fmt,
              "upload": FileStorage(io.BytesIO(content), filename=filename)}
    boundary, body = encode_multipart(fields)
    return browser.client.post("/localization/import", data=body,
                               content_type=f"multipart/form-data; boundary={boundary}")


def confirm_fields(html: str) -> dict[str, str]:
    return {name: value for name, value in re.findall(
        r'<input[^>]*name="(locale|token)"[^>]*value="([^"]*)"', html)}


def test_create_edit_delete_round_trip(admin_browser, db_session):
    response = admin_browser.submit("/localization/new", {
        "key": "player.shuffle", "locale": "pt-BR", "value": "Aleatório"})
    assert response.status_code == 302, response.get_data(as_text=True)
    row = db_session.scalars(select(LocalizationString).where(
        LocalizationString.key == "player.shuffle")).one()
    assert (row.locale, row.value) == ("pt-BR", "Aleatório")

    data = form_values(admin_browser.get(f"/localization/{row.public_id}/edit").get_data(
        as_text=True))
    data["value"] = "Modo aleatório"
    assert admin_browser.submit(f"/localization/{row.public_id}/edit", data).status_code == 302
    assert strings(db_session, "pt-BR") == {"player.shuffle": "Modo aleatório"}
    listing = admin_browser.get("/localization/?locale=pt-BR").get_data(as_text=True)
    assert "Modo aleatório" in listing

    assert admin_browser.submit(f"/localization/{row.public_id}/delete").status_code == 302
    assert strings(db_session, "pt-BR") == {}
    assert str(row.public_id) not in public_ids(
        admin_browser.get("/localization/").get_data(as_text=True), "localization")


def test_duplicate_key_and_locale_is_a_form_error_with_input_kept(admin_browser, db_session):
    make_string(db_session, key="nav.home", locale="de", value="Start")
    db_session.commit()
    response = admin_browser.submit("/localization/new", {
        "key": "nav.home", "locale": "de", "value": "Startseite"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "key") == "“nav.home” already has a text in de."
    assert "Startseite" in form_values(page)["value"]
    # The same key in another locale is fine.
    assert admin_browser.submit("/localization/new", {
        "key": "nav.home", "locale": "fr", "value": "Accueil"}).status_code == 302


@pytest.mark.parametrize(("field", "value", "message"), [
    ("locale", "german", "pt-BR"), ("locale", "DE", "pt-BR"), ("locale", "", "required"),
    ("key", "", "required"), ("key", "k" * 201, "200"), ("key", "a\tb", "control"),
    ("value", "nul\x00", "NUL"),
])
def test_bad_values_are_field_errors(admin_browser, field, value, message):
    data = {"key": "ok.key", "locale": "de", "value": "ok", field: value}
    response = admin_browser.submit("/localization/new", data)
    assert response.status_code == 422
    assert message in (field_error(response.get_data(as_text=True), field) or "")


def test_missing_translations_page(admin_browser, db_session):
    for key in ("a.one", "a.two", "a.three"):
        make_string(db_session, key=key, locale="en", value=f"EN {key}")
    make_string(db_session, key="a.two", locale="de", value="DE")
    db_session.commit()
    page = admin_browser.get("/localization/missing?locale=de").get_data(as_text=True)
    assert "a.one" in page and "a.three" in page and ">a.two<" not in page
    page = admin_browser.get("/localization/missing?locale=en").get_data(as_text=True)
    assert "is the default locale" in page
    for query in ("locale=" + "x" * 500, "locale=de&after=zzz"):
        assert admin_browser.get(f"/localization/missing?{query}").status_code == 200, query
    for query in ("locale=%00", "after=%00"):  # the request guard (tests/fuzz)
        assert admin_browser.get(f"/localization/missing?{query}").status_code == 400, query


def test_import_with_errors_writes_nothing(admin_browser, db_session):
    make_string(db_session, key="keep", locale="de", value="Original")
    db_session.commit()
    before = row_count(db_session)
    content = (b'{\n  "keep": "Changed",\n  "new.one": "Neu",\n  "": "empty",\n'
               b'  "keep": "dup"\n}')
    response = upload(admin_browser, content)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "2 problems found — nothing was imported" in page
    assert "Line 4:</strong> the key is empty" in page
    assert "Line 5:</strong> duplicate key “keep” (first on line 2)" in page
    assert row_count(db_session) == before
    assert strings(db_session, "de") == {"keep": "Original"}


@pytest.mark.parametrize(("content", "fmt", "expected"), [
    (b"key,value\na,\xff\n", "csv", "not valid UTF-8"),
    (b'{"a": "b\\u0000"}', "json", "NUL byte"),
    (b"key,value\n" + b"k" * 201 + b",v\n", "csv", "longer than 200"),
    (b"[]", "json", "one JSON object"),
    (b"", "json", "empty"),
])
def test_import_row_errors_are_reported(admin_browser, db_session, content, fmt, expected):
    before = row_count(db_session)
    response = upload(admin_browser, content, fmt=fmt)
    assert response.status_code == 422
    assert expected in response.get_data(as_text=True)
    assert row_count(db_session) == before


def test_a_file_too_large_is_refused(admin_browser, db_session):
    before = row_count(db_session)
    response = upload(admin_browser, b"{" + b" " * (1024 * 1024 + 10) + b"}")
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    assert upload(admin_browser, b" " * (3 * 1024 * 1024)).status_code == 413
    assert row_count(db_session) == before


def test_valid_import_waits_for_confirmation_then_writes_everything(admin_browser, db_session):
    make_string(db_session, key="same", locale="de", value="Gleich")
    make_string(db_session, key="changed", locale="de", value="Alt")
    db_session.commit()
    content = b'key,value\nsame,Gleich\nchanged,Neu\nnew.one,"Neu, eins"\n'
    response = upload(admin_browser, content, fmt="csv", filename="de.csv")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert re.search(r"<strong>1</strong> new.*<strong>1</strong> changed.*"
                     r"<strong>1</strong> unchanged", page, re.S)
    assert strings(db_session, "de") == {"same": "Gleich", "changed": "Alt"}  # not yet

    fields = confirm_fields(page)
    response = admin_browser.submit("/localization/import", fields,
                                    action="/localization/import/confirm")
    assert response.status_code == 302
    assert strings(db_session, "de") == {"same": "Gleich", "changed": "Neu",
                                         "new.one": "Neu, eins"}
    event = db_session.scalars(select(AuditEvent).where(
        AuditEvent.action == "localization.imported")).one()
    assert event.details["created"] == 1 and event.details["updated"] == 1
    # The token is spent: confirming twice writes nothing more.
    response = admin_browser.submit("/localization/import", fields,
                                    action="/localization/import/confirm")
    assert response.status_code == 302 and "/localization/import" in response.headers["Location"]


def test_a_checked_import_waits_in_the_database_for_any_worker(app, admin_browser, db_session,
                                                              migrated_database, users):
    """Another worker (here: another app on the same database) confirms what this one checked;
    the staged rows live in the database, and confirming consumes them."""
    from tests.conftest import make_test_app
    from tests.helpers import bind_session
    from webadmin.db import get_db
    from webadmin.models import StagedImport

    def staged_count():
        db_session.expire_all()
        return db_session.scalar(select(func.count()).select_from(StagedImport))

    response = upload(admin_browser, b'{"greeting": "Hallo"}')
    assert response.status_code == 200
    assert staged_count() == 1
    fields = confirm_fields(response.get_data(as_text=True))

    other_worker = make_test_app(migrated_database)
    bind_session(other_worker, db_session.connection())
    try:
        same_admin_elsewhere = signed_in(other_worker, users.superadmin.email)
        response = same_admin_elsewhere.submit("/localization/import", fields,
                                               action="/localization/import/confirm")
        assert response.status_code == 302
        assert "/localization/" in response.headers["Location"]
    finally:
        get_db(other_worker).session.remove()
        get_db(other_worker).engine.dispose()
    assert strings(db_session, "de") == {"greeting": "Hallo"}
    assert staged_count() == 0


def test_cancel_and_foreign_tokens_write_nothing(app, admin_browser, db_session):
    response = upload(admin_browser, b'{"only": "one"}')
    fields = confirm_fields(response.get_data(as_text=True))
    other = make_user(db_session, role=UserRole.superadmin, email="second@example.test")
    db_session.commit()
    thief = signed_in(app, other.email)
    response = thief.submit("/localization/import", fields,
                            action="/localization/import/confirm")
    assert response.status_code == 302
    assert strings(db_session, "de") == {}
    response = admin_browser.submit("/localization/import", {**fields, "cancel": "1"},
                                    action="/localization/import/confirm")
    assert response.status_code == 302
    response = admin_browser.submit("/localization/import", fields,
                                    action="/localization/import/confirm")
    assert strings(db_session, "de") == {}
    for forged in ({"locale": "de", "token": "../../etc/passwd"},
                   {"locale": "de", "token": "A" * 43}, {"locale": "de"}):
        response = admin_browser.submit("/localization/import", forged,
                                        action="/localization/import/confirm")
        assert response.status_code in (302, 400)


def test_export_json_and_csv(admin_browser, db_session):
    make_string(db_session, key="b.formula", locale="de", value="=1+1")
    make_string(db_session, key="a.plain", locale="de", value="Hallo, Welt")
    make_string(db_session, key="a.plain", locale="en", value="Hello")
    db_session.commit()
    response = admin_browser.get("/localization/export?locale=de&format=json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert json.loads(response.get_data(as_text=True)) == {"a.plain": "Hallo, Welt",
                                                           "b.formula": "=1+1"}
    response = admin_browser.get("/localization/export?locale=de&format=csv")
    assert response.mimetype == "text/csv"
    assert response.get_data(as_text=True) == (
        'key,value\r\na.plain,"Hallo, Welt"\r\nb.formula,\'=1+1\r\n')
    assert "attachment" in response.headers["Content-Disposition"]
    assert admin_browser.get("/localization/export").status_code == 200  # the chooser page
    for query in ("locale=de&format=xml", "locale=../x&format=json", "format=csv",
                  "locale=%00&format=csv"):
        assert admin_browser.get(f"/localization/export?{query}").status_code == 400, query


def test_singers_cannot_reach_localization(singer_browser):
    for url in ("/localization/", "/localization/missing", "/localization/import",
                "/localization/export?locale=en&format=json"):
        assert singer_browser.get(url).status_code == 403
