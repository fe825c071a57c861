"""Bulk actions as people expect them: nothing preselected, "Go" that says what is missing,
"select all N matching" re-applied on the server at both steps, and the sections' own actions
(publish/archive songs, deactivate/reactivate users) with one audit entry per row."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.factories import make_song, make_user
from webadmin.admin import bulk
from webadmin.models import AuditEvent, Song, SongStatus, User, UserRole


def audit_actions(db_session, action: str) -> list[str]:
    return list(db_session.scalars(select(AuditEvent.target_public_id)
                                   .where(AuditEvent.action == action)))


def test_the_action_menu_starts_neutral_and_offers_the_sections_actions(admin_browser,
                                                                         users, db_session):
    make_song(db_session, artist=users.singer)
    db_session.commit()
    page = admin_browser.get("/songs/").get_data(as_text=True)
    menu = re.search(r'<select id="bulk-action".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)"', menu) == [
        "", "delete", "publish", "archive", "export"]
    assert menu.count("selected") == 1 and '<option value="" selected>Choose an action' in menu
    assert "0 of 1 selected" in page
    # The bar follows the table (reachable right after the ticked rows).
    assert page.index("</table>") < page.index("data-bulk-bar")
    users_menu = admin_browser.get("/users/").get_data(as_text=True)
    assert 'value="deactivate">Deactivate…' in users_menu
    assert 'value="reactivate">Reactivate…' in users_menu


@pytest.mark.parametrize("data,message", [
    ({"action": ""}, "Choose an action first, and tick the rows it applies to."),
    ({"action": "", "ids": ["00000000-0000-0000-0000-000000000001"]}, "Choose an action first."),
    ({"action": "publish"}, "Select at least one row first."),
])
def test_go_without_an_action_or_rows_says_what_is_missing(admin_browser, data, message):
    response = admin_browser.submit("/songs/", {**data, "query": "q=x&status=draft"},
                                    action="/songs/bulk")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/songs/?q=x&status=draft")  # filters kept
    assert message in admin_browser.get("/songs/").get_data(as_text=True)


def test_publish_ticked_songs_confirms_then_records_each_and_names_the_skipped(
        admin_browser, users, db_session):
    draft = make_song(db_session, artist=users.singer, title="Draft One")
    other = make_song(db_session, artist=users.singer, title="Draft Two")
    live = make_song(db_session, artist=users.singer, title="Already Out",
                     status=SongStatus.published)
    db_session.commit()
    ids = [str(s.public_id) for s in (draft, other, live)]
    confirm = admin_browser.submit("/songs/", {"action": "publish", "ids": ids},
                                   action="/songs/bulk")
    page = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Publish 3 songs?" in page and "Yes, publish" in page
    db_session.expire_all()
    assert db_session.get(Song, draft.id).status is SongStatus.draft  # nothing yet
    versions = re.findall(r'name="ids" value="([^"]+)"', page)
    assert f"{draft.public_id}:{draft.version_id}" in versions
    # Someone edits "Draft Two" after the confirmation page was shown: it is skipped.
    db_session.get(Song, other.id).title = "Draft Two (edited)"
    db_session.commit()
    response = admin_browser.submit("/songs/", {"action": "publish", "ids": versions,
                                                "confirm": "yes"}, action="/songs/bulk")
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Song, draft.id).status is SongStatus.published
    assert db_session.get(Song, other.id).status is SongStatus.draft
    assert audit_actions(db_session, "record.published") == [str(draft.public_id)]
    flashes = admin_browser.get("/songs/").get_data(as_text=True)
    assert "Published 1 song." in flashes
    assert "“Draft Two (edited)” was skipped: someone else changed it" in flashes
    assert "“Already Out” was skipped: it is already published." in flashes


def test_select_all_matching_reapplies_the_filters_and_confirms_the_count(
        admin_browser, users, db_session, monkeypatch):
    songs = [make_song(db_session, artist=users.singer, title=f"Sunset {n}") for n in range(3)]
    make_song(db_session, artist=users.singer, title="Midnight")
    db_session.commit()
    form = {"action": "archive", "scope": "matching", "query": "q=sunset&per_page=10",
            "ids": ["forged-and-ignored"]}
    confirm = admin_browser.submit("/songs/", form, action="/songs/bulk")
    page = confirm.get_data(as_text=True)
    assert "Archive all 3 matching songs?" in page
    assert 'name="expected" value="3"' in page and 'name="ids"' not in page
    # One more song matches by the time the user confirms: asked again with the new count.
    make_song(db_session, artist=users.singer, title="Sunset Late")
    db_session.commit()
    again = admin_browser.submit("/songs/", {**form, "confirm": "yes", "expected": "3"},
                                 action="/songs/bulk")
    assert again.status_code == 409 and "4 songs match now" in again.get_data(as_text=True)
    db_session.expire_all()
    assert all(db_session.get(Song, s.id).status is SongStatus.draft for s in songs)
    done = admin_browser.submit("/songs/", {**form, "confirm": "yes", "expected": "4"},
                                action="/songs/bulk")
    assert done.status_code == 302
    assert len(audit_actions(db_session, "record.archived")) == 4
    assert db_session.scalars(select(Song.status).where(Song.title == "Midnight")).one() \
        is SongStatus.draft
    # More rows than the bound: refused with a message, nothing changed.
    monkeypatch.setattr(bulk, "MAX_BULK_ROWS", 2)
    refused = admin_browser.submit("/songs/", {**form, "action": "publish"},
                                   action="/songs/bulk")
    assert refused.status_code == 302
    assert "More than 2 songs match these filters" in admin_browser.get("/songs/").get_data(
        as_text=True)
    assert audit_actions(db_session, "record.published") == []


def test_a_singers_matching_set_is_their_own_songs(singer_browser, users, db_session):
    mine = make_song(db_session, artist=users.singer, title="Shared Word")
    theirs = make_song(db_session, artist=users.other_singer, title="Shared Word")
    db_session.commit()
    singer_browser.submit("/songs/", {"action": "publish", "scope": "matching",
                                      "query": "q=shared", "confirm": "yes",
                                      "expected": "1"}, action="/songs/bulk")
    db_session.expire_all()
    assert db_session.get(Song, mine.id).status is SongStatus.published
    assert db_session.get(Song, theirs.id).status is SongStatus.draft


def test_bulk_deactivate_and_reactivate_users_with_their_guard_rails(admin_browser, users,
                                                                      db_session):
    extra = make_user(db_session, email="extra@example.test", role=UserRole.listener)
    db_session.commit()
    ids = [str(u.public_id) for u in (users.superadmin, users.listener, extra)]
    confirm = admin_browser.submit("/users/", {"action": "deactivate", "ids": ids},
                                   action="/users/bulk")
    assert "Deactivate 3 users?" in confirm.get_data(as_text=True)
    admin_browser.submit("/users/", {"action": "deactivate", "ids": ids, "confirm": "yes"},
                         action="/users/bulk")
    db_session.expire_all()
    assert not db_session.get(User, users.listener.id).is_active
    assert not db_session.get(User, extra.id).is_active
    assert db_session.get(User, users.superadmin.id).is_active  # never your own account
    assert sorted(audit_actions(db_session, "user.deactivated")) == sorted(
        [str(users.listener.public_id), str(extra.public_id)])
    page = admin_browser.get("/users/").get_data(as_text=True)
    assert "Deactivated 2 users." in page
    assert "was skipped: You cannot deactivate your own account." in page
    admin_browser.submit("/users/", {"action": "reactivate", "ids": ids[1:], "confirm": "yes"},
                         action="/users/bulk")
    db_session.expire_all()
    assert db_session.get(User, extra.id).is_active
    assert len(audit_actions(db_session, "user.reactivated")) == 2
