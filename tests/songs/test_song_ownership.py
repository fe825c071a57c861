"""Ownership as a declared option (``owner = Owner("artist", role=UserRole.singer)``): scope,
list columns and filters, form fields and populate all follow from it for songs."""

from __future__ import annotations

from sqlalchemy import select

from tests.admin.support import public_ids
from tests.factories import make_genre, make_song
from webadmin.admin import site
from webadmin.models import Song


def header(html: str) -> str:
    return html.split("<thead")[1].split("</thead>")[0] if "<thead" in html else ""


def test_singer_list_has_no_artist_column_or_filter_superadmin_has_both(
        singer_browser, admin_browser, users, db_session):
    genre = make_genre(db_session)
    make_song(db_session, artist=users.singer, genre=genre)
    db_session.commit()
    mine = singer_browser.get("/songs/").get_data(as_text=True)
    assert "Artist" not in header(mine) and 'name="artist"' not in mine
    everything = admin_browser.get("/songs/").get_data(as_text=True)
    assert "Artist" in header(everything) and 'name="artist"' in everything


def test_singer_filter_on_artist_is_ignored_not_obeyed(singer_browser, users, db_session):
    genre = make_genre(db_session)
    mine = make_song(db_session, artist=users.singer, genre=genre, title="Mine")
    make_song(db_session, artist=users.other_singer, genre=genre, title="Theirs")
    db_session.commit()
    page = singer_browser.get(f"/songs/?artist={users.other_singer.email}")
    assert public_ids(page.get_data(as_text=True), "songs") == [str(mine.public_id)]


def test_singer_cannot_move_a_song_to_another_artist(singer_browser, users, db_session):
    genre = make_genre(db_session)
    song = make_song(db_session, artist=users.singer, genre=genre, title="Stays")
    db_session.commit()
    url = f"/songs/{song.public_id}/edit"
    response = singer_browser.submit(url, {
        "title": "Stays", "genre": str(genre.public_id), "duration_seconds": "2:00",
        "status": "draft", "version_id": str(song.version_id),
        "artist": users.other_singer.email})
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.scalars(select(Song.artist_user_id).where(Song.id == song.id)).one() \
        == users.singer.id


def test_singers_have_no_artist_lookup_but_keep_genre_and_album(singer_browser, admin_browser):
    assert singer_browser.get("/songs/lookup/artist?q=a").status_code == 404
    assert singer_browser.get("/songs/lookup/genre?q=a").status_code == 200
    assert singer_browser.get("/songs/lookup/album?q=a").status_code == 200
    assert admin_browser.get("/songs/lookup/artist?q=a").status_code == 200


def test_song_admin_declares_ownership_instead_of_coding_it():
    admin = site["songs"]
    assert admin.owner is not None and admin.owner.relationship == "artist"
    for hook in ("scope", "get_list_display", "get_list_filters", "prepare_form"):
        assert hook not in type(admin).__dict__, hook
