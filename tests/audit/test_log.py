"""/audit/log: every entry newest first, each filter, keyset pages, CSV export; localization
imports, role changes and password resets write entries through the same mechanism."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests.admin.support import form_values
from tests.factories import make_genre, make_string, make_user
from tests.localization.test_localization_admin import confirm_fields, upload
from webadmin.models import AuditEvent, LocalizationString, UserRole
from webadmin.services import audit

ENTRY = 'class="card history-entry"'


def add_entries(db_session, count, **kwargs):
    for n in range(count):
        audit.record(db_session, kwargs.get("action", "record.updated"),
                     target_type=kwargs.get("target_type", "genre"),
                     target_label=f"Entry {n:03d}", changes={"name": [f"a{n}", f"b{n}"]})
    db_session.commit()


def test_the_log_pages_by_keyset_newest_first(admin_browser, db_session):
    add_entries(db_session, 75)
    first = admin_browser.get("/audit/log?action=record.updated").get_data(as_text=True)
    assert first.count(ENTRY) == 50
    assert first.index("Entry 074") < first.index("Entry 073")
    older = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = admin_browser.get(older).get_data(as_text=True)
    assert second.count(ENTRY) == 25 and "Entry 024" in second and "Entry 025" not in second
    assert 'rel="next"' not in second
    newer = re.search(r'href="([^"]+)" rel="prev"', second).group(1).replace("&amp;", "&")
    assert admin_browser.get(newer).get_data(as_text=True).count(ENTRY) == 50


def test_each_filter_narrows_the_log(admin_browser, db_session, users):
    genre = make_genre(db_session, name="Bossa")
    db_session.commit()
    url = f"/genres/{genre.public_id}/edit"
    values = form_values(admin_browser.get(url).get_data(as_text=True))
    values["description"] = "Smooth"
    admin_browser.submit(url, values)
    admin_browser.submit(f"/genres/{genre.public_id}/delete")

    def count(query):
        response = admin_browser.get(f"/audit/log?{query}")
        assert response.status_code == 200
        return response.get_data(as_text=True).count(ENTRY)

    assert count(f"row={genre.public_id}") == 2
    assert count(f"row={genre.public_id}&action=record.deleted") == 1
    assert count(f"actor={users.superadmin.email}&section=genres") == 2
    assert count(f"actor={users.singer.email}&section=genres") == 0
    assert count("section=plans") == 0
    today = datetime.now(UTC).date()
    assert count(f"section=genres&from={today}&to={today}") == 2
    assert count(f"section=genres&to={today - timedelta(days=1)}") == 0
    page = admin_browser.get(f"/audit/log?row={genre.public_id}").get_data(as_text=True)
    assert "<td data-label=\"Field\">Description</td><td data-label=\"Before\">—</td>" \
           "<td data-label=\"After\">Smooth</td>" in page
    assert f'href="/genres/{genre.public_id}/history"' in page


def test_bad_filters_and_cursors_are_ignored_with_a_word_never_a_500(admin_browser,
                                                                      db_session):
    add_entries(db_session, 3)
    for query in ("action=drop table", "section=nope", "row=not-a-uuid", "from=2026-13-45",
                  "after=garbage", "before=" + "A" * 700,
                  "after=WyItbG9nIiwgIm5vdC1hLWRhdGUiLCAxXQ"):
        response = admin_browser.get(f"/audit/log?{query}")
        assert response.status_code == 200, query
    for query in ("actor=%00", "to=\x00"):  # what no column can store: the request guard's 400
        assert admin_browser.get(f"/audit/log?{query}").status_code == 400, query
    page = admin_browser.get("/audit/log?action=nope&row=zzz").get_data(as_text=True)
    assert "Unknown action ignored." in page and "The row filter takes a row id" in page


def test_the_csv_export_streams_the_filtered_log(admin_browser, db_session):
    add_entries(db_session, 1203, target_type="subscription_plan")
    add_entries(db_session, 2, target_type="genre", action="record.created")
    response = admin_browser.get("/audit/log.csv?section=plans")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["occurred_at", "actor", "action"]
    assert len(rows) == 1 + 1203
    assert {row[3] for row in rows[1:]} == {"plans"}


def test_a_localization_import_of_three_strings_writes_three_entries_and_a_summary(
        admin_browser, db_session, users):
    make_string(db_session, key="app.name", locale="de", value="Alt")
    make_string(db_session, key="same", locale="de", value="Gleich")
    db_session.commit()
    content = (b'{"app.name": "Neu", "player.play": "Abspielen", "player.stop": "Stopp", '
               b'"same": "Gleich"}')
    page = upload(admin_browser, content).get_data(as_text=True)
    response = admin_browser.submit("/localization/import", confirm_fields(page),
                                    action="/localization/import/confirm")
    assert response.status_code == 302
    entries = list(db_session.scalars(select(AuditEvent).where(
        AuditEvent.target_type == "localization_string").order_by(AuditEvent.id)))
    per_string = [e for e in entries if e.action.startswith("record.")]
    summaries = [e for e in entries if e.action == "localization.imported"]
    assert len(per_string) == 3 and len(summaries) == 1
    assert {e.actor_user_id for e in entries} == {users.superadmin.id}
    by_label = {e.target_label: e for e in per_string}
    assert by_label["app.name [de]"].action == "record.updated"
    assert by_label["app.name [de]"].changes == {"value": ["Alt", "Neu"]}
    assert by_label["player.play [de]"].changes["value"] == [None, "Abspielen"]
    assert summaries[0].details["created"] == 2 and summaries[0].details["updated"] == 1
    # The string's own history now says what the import did.
    row = db_session.scalars(select(LocalizationString).where(
        LocalizationString.key == "app.name")).one()
    history = admin_browser.get(f"/localization/{row.public_id}/history").get_data(as_text=True)
    assert "No recorded changes yet" not in history and "Neu" in history and "Alt" in history


def test_role_changes_and_password_resets_are_logged_without_the_password(admin_browser,
                                                                          db_session):
    account = make_user(db_session, role=UserRole.singer)
    db_session.commit()
    url = f"/users/{account.public_id}/edit"
    values = form_values(admin_browser.get(url).get_data(as_text=True))
    values["role"] = "listener"
    assert admin_browser.submit(url, values).status_code == 302
    secret = "a brand new password 42"
    admin_browser.submit(f"/users/{account.public_id}/password",
                         {"password": secret, "confirm": secret})
    page = admin_browser.get(f"/audit/log?row={account.public_id}").get_data(as_text=True)
    assert "Changed role" in page and "Set a new password" in page
    assert "<td data-label=\"Before\">Singer</td><td data-label=\"After\">Listener</td>" in page
    csv_text = admin_browser.get(f"/audit/log.csv?row={account.public_id}").get_data(
        as_text=True)
    assert secret not in page and secret not in csv_text


def test_empty_states_and_navigation(admin_browser, singer_browser):
    page = admin_browser.get("/audit/log?section=plans").get_data(as_text=True)
    assert "No entries match these filters" in page
    assert "Nothing is deleted" in admin_browser.get("/audit/").get_data(as_text=True)
    dashboard = admin_browser.get("/").get_data(as_text=True)
    assert 'href="/audit/"' in dashboard and 'href="/audit/log"' in dashboard
    assert 'href="/audit/' not in singer_browser.get("/").get_data(as_text=True)
