"""Albums end to end: a singer's own albums, an album of the song's own artist only (form and
database), the album page's songs in track order, and a delete that says what it would do."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from tests.admin.support import field_error, form_values, public_ids
from tests.factories import make_album, make_genre, make_song
from webadmin.models import Album, AuditEvent, Song


@pytest.fixture
def genre(db_session):
    genre = make_genre(db_session, name="Album Pop", slug="album-pop")
    db_session.commit()
    return genre


def song_data(genre_row, **overrides):
    data = {"title": "Track", "genre": str(genre_row.public_id), "duration_seconds": "3:00",
            "status": "draft"}
    data.update(overrides)
    return data


def test_singer_creates_an_album_that_is_always_their_own(singer_browser, users, db_session):
    page = singer_browser.get("/albums/new").get_data(as_text=True)
    assert 'name="artist"' not in page
    response = singer_browser.submit("/albums/new", {
        "title": "Night Drive", "release_date": "2026-01-15", "description": "First LP",
        "artist": users.other_singer.email})  # ignored: the owner is the singer
    assert response.status_code == 302, response.get_data(as_text=True)
    album = db_session.scalars(select(Album).where(Album.title == "Night Drive")).one()
    assert album.artist_user_id == users.singer.id
    assert db_session.scalars(select(AuditEvent.action).where(
        AuditEvent.target_public_id == str(album.public_id))).all() == ["record.created"]


def test_albums_of_other_singers_are_404_and_absent_from_lists(singer_browser, other_singer_browser,
                                                              users, db_session):
    mine = make_album(db_session, artist=users.singer, title="Mine")
    theirs = make_album(db_session, artist=users.other_singer, title="Theirs")
    db_session.commit()
    page = singer_browser.get("/albums/").get_data(as_text=True)
    assert public_ids(page, "albums") == [str(mine.public_id)]
    assert "Artist" not in page.split("<tbody")[0].split("<thead")[-1]  # no owner column
    for url in (f"/albums/{theirs.public_id}/edit", f"/albums/{theirs.public_id}/delete",
                f"/albums/{theirs.public_id}/history"):
        assert singer_browser.get(url).status_code == 404
    assert other_singer_browser.get(f"/albums/{mine.public_id}/edit").status_code == 404


def test_superadmin_picks_the_artist_and_titles_are_unique_per_artist(admin_browser, users,
                                                                      db_session):
    data = {"title": "Twins", "artist": users.singer.email}
    assert admin_browser.submit("/albums/new", data).status_code == 302
    response = admin_browser.submit("/albums/new", {**data, "title": "twins"})
    assert response.status_code == 422
    assert "already has an album titled" in field_error(response.get_data(as_text=True), "title")
    other = {"title": "Twins", "artist": users.other_singer.email}
    assert admin_browser.submit("/albums/new", other).status_code == 302
    response = admin_browser.submit("/albums/new", {"title": "X", "artist": users.listener.email})
    assert response.status_code == 422  # listeners have no albums


def test_a_song_takes_only_an_album_of_its_own_artist(admin_browser, singer_browser, users, genre,
                                                      db_session):
    mine = make_album(db_session, artist=users.singer, title="Sia's album")
    theirs = make_album(db_session, artist=users.other_singer, title="Otto's album")
    db_session.commit()
    # The singer's picker offers their own albums only, and a forged value is refused.
    page = singer_browser.get("/songs/new").get_data(as_text=True)
    assert "Sia&#39;s album" in page or "Sia's album" in page
    assert "Otto" not in page
    response = singer_browser.submit("/songs/new", song_data(genre, album=str(theirs.public_id)))
    assert response.status_code == 422
    assert "No album matches" in field_error(response.get_data(as_text=True), "album")
    # A superadmin sees every album, and gets a clear message for another artist's album.
    response = admin_browser.submit("/songs/new", song_data(
        genre, artist=users.singer.email, album=str(theirs.public_id)))
    assert response.status_code == 422
    assert "album of another artist" in field_error(response.get_data(as_text=True), "album")
    response = admin_browser.submit("/songs/new", song_data(
        genre, artist=users.singer.email, album=str(mine.public_id), track_number="1"))
    assert response.status_code == 302
    song = db_session.scalars(select(Song).where(Song.title == "Track")).one()
    assert song.album_id == mine.id and song.track_number == 1


def test_the_database_refuses_a_song_on_another_artists_album(db_session, users, genre):
    theirs = make_album(db_session, artist=users.other_singer)
    song = make_song(db_session, artist=users.singer, genre=genre)
    with pytest.raises(IntegrityError):
        db_session.execute(update(Song).where(Song.id == song.id).values(album_id=theirs.id))
        db_session.flush()
    db_session.rollback()


def test_track_numbers_are_unique_on_an_album(singer_browser, users, genre, db_session):
    album = make_album(db_session, artist=users.singer)
    make_song(db_session, artist=users.singer, genre=genre, album=album, track_number=1)
    db_session.commit()
    response = singer_browser.submit("/songs/new", song_data(
        genre, title="Second", album=str(album.public_id), track_number="1"))
    assert response.status_code == 422
    assert "already has track number 1" in field_error(response.get_data(as_text=True),
                                                       "track_number")


def test_album_page_lists_its_songs_in_track_order(singer_browser, users, genre, db_session):
    album = make_album(db_session, artist=users.singer, title="Ordered")
    for number, title in ((3, "Third"), (1, "First"), (2, "Second")):
        make_song(db_session, artist=users.singer, genre=genre, album=album,
                  track_number=number, title=title)
    make_song(db_session, artist=users.singer, genre=genre, title="Not on it")
    db_session.commit()
    page = singer_browser.get(f"/albums/{album.public_id}/edit").get_data(as_text=True)
    panel = page.split("Songs, in track order")[1]
    assert panel.index("First") < panel.index("Second") < panel.index("Third")
    assert "Not on it" not in panel
    assert f"/songs/?album={album.public_id}" in panel
    listed = singer_browser.get(f"/songs/?album={album.public_id}").get_data(as_text=True)
    assert len(public_ids(listed, "songs")) == 3


def test_deleting_an_album_with_songs_says_what_happens_and_keeps_them(singer_browser, users,
                                                                       genre, db_session):
    album = make_album(db_session, artist=users.singer, title="Busy")
    make_song(db_session, artist=users.singer, genre=genre, album=album, track_number=1)
    make_song(db_session, artist=users.singer, genre=genre, album=album, track_number=2)
    empty = make_album(db_session, artist=users.singer, title="Empty")
    db_session.commit()
    page = singer_browser.get(f"/albums/{album.public_id}/delete").get_data(as_text=True)
    assert "This album has 2 songs" in page and "never takes songs along" in page
    response = singer_browser.submit(f"/albums/{album.public_id}/delete")
    assert response.status_code == 409
    db_session.expire_all()
    assert db_session.get(Album, album.id).deleted_at is None
    assert singer_browser.submit(f"/albums/{empty.public_id}/delete").status_code == 302
    db_session.expire_all()
    assert db_session.get(Album, empty.id).deleted_at is not None


def test_album_form_round_trips(singer_browser, users, db_session):
    album = make_album(db_session, artist=users.singer, title="Round")
    db_session.commit()
    url = f"/albums/{album.public_id}/edit"
    data = form_values(singer_browser.get(url).get_data(as_text=True))
    data.update(title="Round (deluxe)", release_date="2026-02-01")
    assert singer_browser.submit(url, data).status_code == 302
    db_session.expire_all()
    assert db_session.get(Album, album.id).title == "Round (deluxe)"


def test_moving_an_album_with_songs_to_another_artist_is_refused_cleanly(admin_browser, users,
                                                                         genre, db_session):
    album = make_album(db_session, artist=users.singer, title="Bound")
    make_song(db_session, artist=users.singer, genre=genre, album=album, track_number=1)
    db_session.commit()
    url = f"/albums/{album.public_id}/edit"
    data = form_values(admin_browser.get(url).get_data(as_text=True))
    data["artist"] = users.other_singer.email
    response = admin_browser.submit(url, data)
    assert response.status_code == 422
    assert "move its songs first" in field_error(response.get_data(as_text=True), "artist")
    db_session.expire_all()
    assert db_session.get(Album, album.id).artist_user_id == users.singer.id
