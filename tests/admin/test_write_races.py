"""Two people writing one row at the same moment, on both databases.

``meanwhile`` lands another person's committed write between the request's read and its flush
(the interleaving of a real race); tests/races repeats the important ones with real threads on
PostgreSQL. Whoever loses gets a page that says what happened — 404 "deleted meanwhile", 409
"changed meanwhile" or the form with a message — never a 500 and never a success message.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from tests.admin.support import (
    audit_actions,
    deleted_meanwhile,
    form_values,
    meanwhile,
    other_statement_meanwhile,
)
from tests.factories import make_genre, make_song, make_string
from webadmin.models import AuditEvent, Genre, LocalizationString, Song, User

GONE = "was deleted meanwhile"
CHANGED = "Someone else changed this"


def restore_button(html: str, section: str, public_id: object) -> bool:
    return (f'action="/{section}/bulk"' in html and 'value="restore"' in html
            and f'value="{public_id}"' in html)


# --- delete ---------------------------------------------------------------------------------
def test_delete_that_loses_to_a_delete_is_404_saying_so(admin_browser, db_session):
    genre = make_genre(db_session, name="Twice")
    db_session.commit()
    deleted_meanwhile(db_session, genre)
    response = admin_browser.submit(f"/genres/{genre.public_id}/delete")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "“Twice” " + GONE in page and "Deleted genre" not in page
    assert restore_button(page, "genres", genre.public_id)
    assert audit_actions(db_session, genre) == []  # the loser recorded nothing
    assert db_session.get(Genre, genre.id).deleted_at is not None


def test_double_click_on_delete_second_click_is_404_saying_so(admin_browser, db_session):
    genre = make_genre(db_session, name="Double")
    db_session.commit()
    url = f"/genres/{genre.public_id}/delete"
    token_page = "/genres/"
    assert admin_browser.submit(token_page, action=url).status_code == 302
    response = admin_browser.submit(token_page, action=url)
    assert response.status_code == 404
    assert "“Double” " + GONE in response.get_data(as_text=True)
    assert audit_actions(db_session, genre) == ["record.deleted"]


def test_delete_that_loses_to_an_edit_is_409_and_deletes_nothing(admin_browser, db_session):
    genre = make_genre(db_session, name="Edited")
    db_session.commit()
    meanwhile(db_session, genre, name="Edited again")
    response = admin_browser.submit(f"/genres/{genre.public_id}/delete")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert CHANGED + " genre while you were confirming" in page
    assert "Yes, delete" in page  # the confirmation, again, for the current row
    db_session.expire_all()
    stored = db_session.get(Genre, genre.id)
    assert stored.deleted_at is None and stored.name == "Edited again"
    assert audit_actions(db_session, genre) == []


def test_delete_page_of_a_deleted_row_says_so(admin_browser, db_session):
    genre = make_genre(db_session, name="Gone", deleted_at=datetime.now(UTC))
    db_session.commit()
    for url in (f"/genres/{genre.public_id}/delete", f"/genres/{genre.public_id}/edit"):
        response = admin_browser.get(url)
        assert response.status_code == 404
        assert "“Gone” " in response.get_data(as_text=True)


# --- bulk delete / restore ------------------------------------------------------------------
def test_bulk_delete_skips_a_row_deleted_meanwhile(admin_browser, db_session):
    first, second = make_genre(db_session, name="First"), make_genre(db_session, name="Second")
    db_session.commit()
    deleted_meanwhile(db_session, first)
    data = {"action": "delete", "ids": [str(first.public_id), str(second.public_id)],
            "confirm": "yes"}
    response = admin_browser.submit("/genres/", data, action="/genres/bulk")
    assert response.status_code == 302
    page = admin_browser.get("/genres/").get_data(as_text=True)
    assert "Deleted 1 genre." in page
    assert "“First” was skipped: someone else deleted it meanwhile." in page
    assert audit_actions(db_session, first) == []
    assert audit_actions(db_session, second) == ["record.deleted"]


def test_bulk_delete_of_rows_already_gone_is_409(admin_browser, db_session):
    genre = make_genre(db_session, name="Vanished", deleted_at=datetime.now(UTC))
    db_session.commit()
    data = {"action": "delete", "ids": [str(genre.public_id)], "confirm": "yes"}
    response = admin_browser.submit("/genres/", data, action="/genres/bulk")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Nothing was deleted" in page
    assert "deleted, restored or changed by someone else meanwhile" in page


def test_bulk_restore_that_loses_to_a_restore_is_409(admin_browser, users, db_session):
    song = make_song(db_session, artist=users.singer, title="Back", deleted_at=datetime.now(UTC))
    db_session.commit()
    meanwhile(db_session, song, deleted_at=None)
    data = {"action": "restore", "ids": [str(song.public_id)], "show": "deleted",
            "confirm": "yes"}
    response = admin_browser.submit("/songs/", data, action="/songs/bulk")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Nothing was restored" in page
    assert "“Back” was skipped: someone else restored it meanwhile." in page
    assert audit_actions(db_session, song) == []


def test_bulk_restore_skips_a_row_deleted_for_good_meanwhile(admin_browser, users, db_session):
    """A purge (hard delete) between the read and the write: the row is simply gone."""
    from sqlalchemy import delete

    song = make_song(db_session, artist=users.singer, title="Purged",
                     deleted_at=datetime.now(UTC))
    keep = make_song(db_session, artist=users.singer, title="Kept",
                     deleted_at=datetime.now(UTC))
    db_session.commit()
    other_statement_meanwhile(db_session, delete(Song).where(Song.id == song.id))
    data = {"action": "restore", "ids": [str(song.public_id), str(keep.public_id)],
            "show": "deleted", "confirm": "yes"}
    response = admin_browser.submit("/songs/", data, action="/songs/bulk")
    assert response.status_code == 302
    page = admin_browser.get("/songs/?show=deleted").get_data(as_text=True)
    assert "Restored 1 song." in page
    assert "“Purged” was skipped: it no longer exists." in page


# --- edit vs delete (finding 8) ----------------------------------------------------------------
def song_form(browser, song):
    url = f"/songs/{song.public_id}/edit"
    return url, form_values(browser.get(url).get_data(as_text=True))


def test_save_that_loses_to_a_delete_is_404_with_the_input_kept(admin_browser, users,
                                                                db_session):
    song = make_song(db_session, artist=users.singer, title="Doomed", duration_seconds=200)
    db_session.commit()
    url, data = song_form(admin_browser, song)
    data.update(title="My careful rewrite", lyrics="typed for an hour")
    deleted_meanwhile(db_session, song)
    response = admin_browser.submit(url, data)
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "This song was deleted while you were editing it" in page
    assert "Nothing of yours was saved" in page and "Saved song" not in page
    kept = form_values(page)
    assert kept["title"] == "My careful rewrite" and kept["lyrics"] == "typed for an hour"
    assert restore_button(page, "songs", song.public_id)
    assert audit_actions(db_session, song) == []
    db_session.expire_all()
    assert db_session.get(Song, song.id).title == "Doomed"


def test_save_after_the_row_was_deleted_is_404_with_the_input_kept(admin_browser, users,
                                                                   db_session):
    song = make_song(db_session, artist=users.singer, title="Removed")
    db_session.commit()
    url, data = song_form(admin_browser, song)
    assert admin_browser.submit(f"/songs/{song.public_id}/delete").status_code == 302
    data["title"] = "Still typing"
    response = admin_browser.submit("/songs/", data, action=url)
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "This song was deleted while you were editing it" in page
    assert form_values(page)["title"] == "Still typing"
    # Restore it, then the kept form saves deliberately: first a conflict (the row moved on),
    # then the user's version.
    restore = {"action": "restore", "ids": [str(song.public_id)], "show": "deleted",
               "confirm": "yes"}
    assert admin_browser.submit("/songs/", restore, action="/songs/bulk").status_code == 302
    response = admin_browser.submit("/songs/", form_values(page), action=url)
    assert response.status_code == 409
    assert admin_browser.submit(url, form_values(response.get_data(as_text=True))
                                ).status_code == 302
    db_session.expire_all()
    assert db_session.get(Song, song.id).title == "Still typing"


def test_singer_sees_no_restore_for_a_song_out_of_reach(singer_browser, users, db_session):
    """Another singer's deleted song stays a plain 404: no title, no restore."""
    theirs = make_song(db_session, artist=users.other_singer, title="Not yours",
                       deleted_at=datetime.now(UTC))
    db_session.commit()
    for url in (f"/songs/{theirs.public_id}/edit", f"/songs/{theirs.public_id}/delete"):
        response = singer_browser.get(url)
        assert response.status_code == 404
        assert "Not yours" not in response.get_data(as_text=True)


# --- section actions ----------------------------------------------------------------------------
def test_deactivate_that_loses_to_another_change_is_409(admin_browser, users, db_session):
    meanwhile(db_session, users.singer, display_name="Renamed meanwhile")
    response = admin_browser.submit(f"/users/{users.singer.public_id}/deactivate")
    assert response.status_code == 409
    assert CHANGED + " user meanwhile" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(User, users.singer.id).is_active is True
    assert audit_actions(db_session, users.singer) == []


@pytest.mark.parametrize("path", ["deactivate", "password"])
def test_account_action_on_an_account_deleted_meanwhile_is_404(admin_browser, users, db_session,
                                                               path):
    url = f"/users/{users.singer.public_id}/{path}"
    data = {"password": "a long enough new password", "confirm": "a long enough new password"}
    token = admin_browser.token_for(url)
    deleted_meanwhile(db_session, users.singer)
    response = admin_browser.client.post(url, data={**data, "csrf_token": token})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "This user " + GONE in page
    assert "“Sia Singer &lt;singer@example.test&gt;” " + GONE in page
    assert audit_actions(db_session, users.singer) == []


def test_localization_import_that_loses_to_an_edit_is_409(admin_browser, db_session):
    from tests.localization.test_localization_admin import confirm_fields, upload

    row = make_string(db_session, key="racy", locale="de", value="Alt")
    db_session.commit()
    response = upload(admin_browser, b'{"racy": "Neu"}')
    fields = confirm_fields(response.get_data(as_text=True))
    meanwhile(db_session, row, value="Someone else's")
    response = admin_browser.submit("/localization/import", fields,
                                    action="/localization/import/confirm")
    assert response.status_code == 409
    assert "Someone changed these strings at the same time" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(LocalizationString, row.id).value == "Someone else's"
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "localization.imported")) == 0
