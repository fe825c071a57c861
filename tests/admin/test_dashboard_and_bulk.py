"""Dashboard, navigation, bulk actions with their confirmation step, restore."""

from __future__ import annotations

from sqlalchemy import select

from tests.admin.support import public_ids
from tests.factories import make_genre, make_song
from webadmin.models import AuditEvent, Genre, Song


def test_dashboard_shows_the_sections_a_user_may_use(admin_browser, singer_browser, users,
                                                     db_session):
    make_song(db_session, artist=users.singer)
    make_song(db_session, artist=users.other_singer)
    db_session.commit()
    admin_page = admin_browser.get("/").get_data(as_text=True)
    assert 'href="/genres/"' in admin_page and 'href="/songs/"' in admin_page
    singer_page = singer_browser.get("/").get_data(as_text=True)
    assert 'href="/songs/"' in singer_page and 'href="/genres/"' not in singer_page
    # The singer's card counts their own songs only.
    assert '<span class="muted">Songs</span><strong>1</strong>' in singer_page
    assert '<span class="muted">Songs</span><strong>2</strong>' in admin_page
    assert 'aria-current="page">Dashboard' in singer_page


def test_dashboard_lists_the_users_recent_actions(admin_browser, singer_browser, db_session):
    genre = make_genre(db_session, name="Shoegaze")
    db_session.commit()
    admin_browser.submit(f"/genres/{genre.public_id}/delete")
    page = admin_browser.get("/").get_data(as_text=True)
    assert "Deleted" in page and "Shoegaze" in page
    assert "Shoegaze" not in singer_browser.get("/").get_data(as_text=True)


def test_nav_marks_the_current_section(admin_browser):
    page = admin_browser.get("/songs/").get_data(as_text=True)
    assert 'href="/songs/" aria-current="page">Songs' in page


def test_bulk_delete_confirms_then_skips_blocked_rows(admin_browser, db_session):
    used, free = make_genre(db_session, name="Used"), make_genre(db_session, name="Free")
    make_song(db_session, genre=used)
    db_session.commit()
    data = {"action": "delete", "ids": [str(used.public_id), str(free.public_id), "junk"]}
    confirm = admin_browser.submit("/genres/", data, action="/genres/bulk")
    assert confirm.status_code == 200
    page = confirm.get_data(as_text=True)
    assert "This genre has 1 song; move or delete them first." in page
    db_session.expire_all()
    assert db_session.get(Genre, free.id).deleted_at is None  # nothing yet
    data["confirm"] = "yes"
    response = admin_browser.submit("/genres/", data, action="/genres/bulk")
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Genre, free.id).deleted_at is not None
    assert db_session.get(Genre, used.id).deleted_at is None
    flashes = admin_browser.get("/genres/").get_data(as_text=True)
    assert "Deleted 1 genre." in flashes and "“Used” was skipped" in flashes


def test_bulk_restore_from_the_deleted_view(admin_browser, users, db_session):
    song = make_song(db_session, artist=users.singer, title="Comeback")
    db_session.commit()
    admin_browser.submit(f"/songs/{song.public_id}/delete")
    trash = admin_browser.get("/songs/?show=deleted").get_data(as_text=True)
    assert public_ids(trash, "songs") == [str(song.public_id)]
    data = {"action": "restore", "ids": [str(song.public_id)], "show": "deleted",
            "confirm": "yes"}
    assert admin_browser.submit("/songs/", data, action="/songs/bulk").status_code == 302
    db_session.expire_all()
    assert db_session.get(Song, song.id).deleted_at is None
    actions = db_session.scalars(select(AuditEvent.action).where(
        AuditEvent.target_public_id == str(song.public_id)).order_by(AuditEvent.id)).all()
    assert actions == ["record.deleted", "record.restored"]


def test_restore_refused_when_a_live_duplicate_exists(admin_browser, users, db_session):
    old = make_song(db_session, artist=users.singer, title="Twin")
    db_session.commit()
    admin_browser.submit(f"/songs/{old.public_id}/delete")
    make_song(db_session, artist=users.singer, title="twin")
    db_session.commit()
    data = {"action": "restore", "ids": [str(old.public_id)], "show": "deleted",
            "confirm": "yes"}
    response = admin_browser.submit("/songs/", data, action="/songs/bulk")
    assert response.status_code == 409  # nothing was restored: a page that says why
    page = response.get_data(as_text=True)
    assert "Nothing was restored" in page
    assert "“Twin” was skipped: This artist already has a song titled “Twin”." in page
    db_session.expire_all()
    assert db_session.get(Song, old.id).deleted_at is not None


def test_bulk_rejects_unknown_actions_and_empty_selections(admin_browser, singer_browser):
    assert admin_browser.submit("/songs/", {"action": "explode", "ids": []},
                                action="/songs/bulk").status_code == 400
    response = admin_browser.submit("/songs/", {"action": "delete"}, action="/songs/bulk")
    assert response.status_code == 302
    assert "Select at least one row" in admin_browser.get("/songs/").get_data(as_text=True)
    # Restore is offered on the deleted view only.
    assert singer_browser.submit("/songs/", {"action": "restore", "ids": []},
                                 action="/songs/bulk").status_code == 400


def test_bulk_without_csrf_token_changes_nothing(admin_browser, db_session):
    genre = make_genre(db_session)
    db_session.commit()
    response = admin_browser.client.post("/genres/bulk", data={
        "action": "delete", "ids": [str(genre.public_id)], "confirm": "yes"})
    assert response.status_code == 400
    db_session.expire_all()
    assert db_session.get(Genre, genre.id).deleted_at is None
