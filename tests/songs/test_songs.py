"""Songs end to end: create/edit/delete, validation, duplicates, conflicts, singer scope."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.admin.support import field_error, form_values, public_ids, signed_in
from tests.factories import make_genre, make_song
from webadmin.models import AuditEvent, Song, SongStatus


@pytest.fixture
def genre(db_session):
    genre = make_genre(db_session, name="Test Pop", slug="test-pop")
    db_session.commit()
    return genre


def song_data(genre_row, **overrides):
    data = {"title": "Blue Hour", "genre": str(genre_row.public_id), "duration_seconds": "3:45",
            "release_date": "2025-05-01", "isrc": "us-rc1-24-00001", "status": "published",
            "lyrics": "la la"}
    data.update(overrides)
    return data


def songs_titled(db_session, title):
    return db_session.scalars(select(Song).where(Song.title == title)).all()


def test_singer_creates_edits_and_deletes_own_song(singer_browser, users, genre, db_session):
    # An "artist" in the request is ignored: a singer's songs are always their own.
    response = singer_browser.submit("/songs/new", song_data(
        genre, artist=users.other_singer.email))
    assert response.status_code == 302, response.get_data(as_text=True)
    (song,) = songs_titled(db_session, "Blue Hour")
    assert song.artist_user_id == users.singer.id
    assert song.duration_seconds == 225 and song.isrc == "USRC12400001"
    assert song.status is SongStatus.published

    url = f"/songs/{song.public_id}/edit"
    page = singer_browser.get(url).get_data(as_text=True)
    assert 'name="artist"' not in page
    data = form_values(page)
    assert data["duration_seconds"] == "3:45" and data["isrc"] == "USRC12400001"
    data.update(title="Blue Hour (remix)", duration_seconds="1:02:03")
    assert singer_browser.submit(url, data).status_code == 302
    db_session.expire_all()
    song = db_session.get(Song, song.id)
    assert song.title == "Blue Hour (remix)" and song.duration_seconds == 3723

    assert singer_browser.submit(f"/songs/{song.public_id}/delete").status_code == 302
    db_session.expire_all()
    assert db_session.get(Song, song.id).deleted_at is not None
    assert singer_browser.get(url).status_code == 404
    changes = db_session.scalars(select(AuditEvent.changes).where(
        AuditEvent.target_public_id == str(song.public_id),
        AuditEvent.action == "record.updated")).one()
    assert changes["title"] == ["Blue Hour", "Blue Hour (remix)"]
    assert changes["duration_seconds"] == [225, 3723]


def test_superadmin_picks_the_artist(admin_browser, users, genre, db_session):
    response = admin_browser.submit("/songs/new", song_data(genre, artist=users.singer.email))
    assert response.status_code == 302
    assert songs_titled(db_session, "Blue Hour")[0].artist_user_id == users.singer.id
    response = admin_browser.submit("/songs/new", song_data(genre, title="X", isrc="",
                                                            artist=users.listener.email))
    assert response.status_code == 422  # listeners are not artists
    assert "No artist matches" in field_error(response.get_data(as_text=True), "artist")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("duration_seconds", "0:00", "at least one second"),
    ("duration_seconds", "3:60", "Seconds go from 00 to 59"),
    ("duration_seconds", "-1:00", "minutes:seconds"),
    ("duration_seconds", "abc", "minutes:seconds"),
    ("duration_seconds", "25:00:00", "at most 24 hours"),
    ("duration_seconds", "", "Enter the duration"),
    ("isrc", "US-RC1-24-0001", "An ISRC looks like"),
    ("isrc", "12-RC1-24-00001", "An ISRC looks like"),
    ("title", "", "Enter a title."),
    ("title", "x" * 201, "200"),
    ("title", "nul\x00byte", "NUL"),
    ("genre", "no such genre", "No genre matches"),
    ("release_date", "2025-13-45", "Not a valid date"),
    ("status", "bogus", "Not a valid choice"),
])
def test_validation_errors_keep_input(singer_browser, genre, field, value, message):
    response = singer_browser.submit("/songs/new", song_data(genre, **{field: value}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = field_error(page, field)
    assert error is not None and message in error, error
    assert form_values(page)["title"] == song_data(genre, **{field: value})["title"].replace(
        "\x00", "\ufffd") or field == "title"


def test_duplicate_title_for_the_same_artist_is_a_form_error(singer_browser, users, genre,
                                                             db_session):
    make_song(db_session, artist=users.singer, genre=genre, title="Same Song")
    make_song(db_session, artist=users.other_singer, genre=genre, title="Other Song")
    db_session.commit()
    response = singer_browser.submit("/songs/new", song_data(genre, title="same song"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "title") == "This artist already has a song titled “same song”."
    assert form_values(page)["title"] == "same song"
    # Another artist's title is free for this singer.
    assert singer_browser.submit("/songs/new", song_data(
        genre, title="Other Song")).status_code == 302


def test_duplicate_isrc_is_a_form_error(singer_browser, users, genre, db_session):
    make_song(db_session, artist=users.other_singer, genre=genre, isrc="USRC12400001")
    db_session.commit()
    response = singer_browser.submit("/songs/new", song_data(genre))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "isrc") == "Another song already uses the ISRC USRC12400001."
    assert form_values(page)["lyrics"] == "la la"


def test_database_has_the_last_word_on_a_duplicate(singer_browser, genre, db_session,
                                                   monkeypatch):
    """When the pre-check misses a duplicate (a race), the unique index refuses it and the
    IntegrityError becomes the same field error; the database's text never shows."""
    import webadmin.admin.errors as errors

    assert singer_browser.submit("/songs/new", song_data(genre)).status_code == 302
    monkeypatch.setattr(errors, "check_live_duplicates", lambda *args: None)
    response = singer_browser.submit("/songs/new", song_data(genre, title="BLUE HOUR",
                                                              isrc=""))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "title") == "This artist already has a song titled “BLUE HOUR”."
    for leak in ("UNIQUE", "unique", "uq_song", "INSERT", "duplicate key"):
        assert leak not in page
    # The session is usable afterwards.
    assert singer_browser.get("/songs/").status_code == 200


def test_two_editors_second_save_is_refused(app, users, genre, db_session):
    song = make_song(db_session, artist=users.singer, genre=genre, title="Original",
                     duration_seconds=200)
    db_session.commit()
    first = signed_in(app, users.singer.email)
    second = signed_in(app, users.superadmin.email)
    url = f"/songs/{song.public_id}/edit"
    first_form = form_values(first.get(url).get_data(as_text=True))
    second_form = form_values(second.get(url).get_data(as_text=True))

    first_form["title"] = "First wins"
    assert first.submit(url, first_form).status_code == 302

    second_form["title"] = "Second loses"
    second_form["duration_seconds"] = "9:59"
    response = second.submit(url, second_form)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else saved this song while you were editing it" in page
    assert "First wins" in page  # their value, shown
    kept = form_values(page)
    assert kept["title"] == "Second loses" and kept["duration_seconds"] == "9:59"
    db_session.expire_all()
    stored = db_session.get(Song, song.id)
    assert stored.title == "First wins" and stored.duration_seconds == 200
    # Saving again from the conflict page (now based on the current version) is deliberate.
    assert second.submit(url, kept).status_code == 302
    db_session.expire_all()
    assert db_session.get(Song, song.id).title == "Second loses"


def test_stale_data_error_at_flush_is_a_conflict(singer_browser, users, genre, db_session,
                                                 monkeypatch):
    """The version check in the UPDATE itself (a save landing between our read and write)."""
    from sqlalchemy import update

    song = make_song(db_session, artist=users.singer, genre=genre, title="Racy")
    db_session.commit()
    url = f"/songs/{song.public_id}/edit"
    data = form_values(singer_browser.get(url).get_data(as_text=True))
    data["title"] = "Mine"
    from webadmin.songs.admin import SongAdmin

    original = SongAdmin.validate_object

    def concurrent_save(self, session, obj, user):
        session.execute(update(Song).where(Song.id == obj.id).values(
            title="Theirs", version_id=Song.version_id + 1).execution_options(
                synchronize_session=False))
        original(self, session, obj, user)

    monkeypatch.setattr(SongAdmin, "validate_object", concurrent_save)
    response = singer_browser.submit(url, data)
    assert response.status_code == 409
    db_session.expire_all()
    assert db_session.get(Song, song.id).title == "Racy"  # rolled back, nothing overwritten


def test_other_singers_song_is_404_everywhere(singer_browser, users, genre, db_session):
    theirs = make_song(db_session, artist=users.other_singer, genre=genre)
    db_session.commit()
    for url in (f"/songs/{theirs.public_id}/edit", f"/songs/{theirs.public_id}/delete",
                f"/songs/{theirs.public_id}/history", "/songs/not-a-uuid/edit",
                "/songs/00000000-0000-0000-0000-000000000000/edit"):
        assert singer_browser.get(url).status_code == 404, url
    response = singer_browser.submit("/songs/", action=f"/songs/{theirs.public_id}/delete")
    assert response.status_code == 404
    db_session.expire_all()
    assert db_session.get(Song, theirs.id).deleted_at is None


def test_singer_never_sees_other_singers_songs(singer_browser, users, genre, db_session):
    mine = make_song(db_session, artist=users.singer, genre=genre, title="Shared Word Mine",
                     isrc="USRC12400011")
    theirs = make_song(db_session, artist=users.other_singer, genre=genre,
                       title="Shared Word Theirs", isrc="USRC12400012")
    db_session.commit()
    for url in ("/songs/", "/songs/?q=shared", "/songs/?q=USRC124000",
                f"/songs/?artist={users.other_singer.email}", "/songs/?sort=title&per_page=100",
                f"/songs/?genre={genre.public_id}"):
        page = singer_browser.get(url).get_data(as_text=True)
        assert str(theirs.public_id) not in page and "Theirs" not in page, url
    listing = singer_browser.get("/songs/?q=shared").get_data(as_text=True)
    assert public_ids(listing, "songs") == [str(mine.public_id)]

    export = singer_browser.get("/songs/export.csv?q=shared").get_data(as_text=True)
    assert "Shared Word Mine" in export and "Theirs" not in export

    both = {"action": "export", "ids": [str(mine.public_id), str(theirs.public_id)]}
    export = singer_browser.submit("/songs/", both, action="/songs/bulk").get_data(as_text=True)
    assert "Shared Word Mine" in export and "Theirs" not in export

    both.update(action="delete")
    confirm = singer_browser.submit("/songs/", both, action="/songs/bulk")
    assert confirm.status_code == 200
    assert "Theirs" not in confirm.get_data(as_text=True)
    both.update(confirm="yes")
    assert singer_browser.submit("/songs/", both, action="/songs/bulk").status_code == 302
    db_session.expire_all()
    assert db_session.get(Song, mine.id).deleted_at is not None
    assert db_session.get(Song, theirs.id).deleted_at is None

    lookup = singer_browser.get("/songs/lookup/artist?q=o")
    assert lookup.status_code == 404  # singers have no artist field or filter


def test_superadmin_filters_by_artist_genre_status(admin_browser, users, db_session):
    rock, jazz = make_genre(db_session, name="Rockish"), make_genre(db_session, name="Jazzy")
    a = make_song(db_session, artist=users.singer, genre=rock, status=SongStatus.published,
                  title="A1")
    b = make_song(db_session, artist=users.other_singer, genre=jazz, status=SongStatus.draft,
                  title="B1", is_explicit=True)
    db_session.commit()

    def ids(query):
        return set(public_ids(admin_browser.get(f"/songs/?{query}").get_data(as_text=True),
                              "songs"))

    assert ids(f"artist={users.singer.email}") == {str(a.public_id)}
    assert ids(f"artist={users.other_singer.public_id}") == {str(b.public_id)}
    assert ids(f"genre={jazz.public_id}") == {str(b.public_id)}
    assert ids(f"genre={jazz.public_id}&genre={rock.public_id}") == {str(a.public_id),
                                                                    str(b.public_id)}
    assert ids("status=draft") == {str(b.public_id)}
    assert ids("is_explicit=yes") == {str(b.public_id)}
    assert ids("is_explicit=no&status=published") == {str(a.public_id)}
    empty = admin_browser.get("/songs/?status=archived").get_data(as_text=True)
    assert "No songs match these filters" in empty and "Clear filters" in empty


def test_empty_state_invites_to_add(singer_browser):
    page = singer_browser.get("/songs/").get_data(as_text=True)
    assert "No songs yet" in page and "Add song" in page


def test_csv_export_guards_against_formulas(singer_browser, users, genre, db_session):
    make_song(db_session, artist=users.singer, genre=genre, title="=HYPERLINK(\"x\")")
    make_song(db_session, artist=users.singer, genre=genre, title="@SUM(A1)")
    db_session.commit()
    response = singer_browser.get("/songs/export.csv")
    assert response.mimetype == "text/csv"
    assert response.is_streamed
    body = response.get_data(as_text=True)
    assert body.splitlines()[0].startswith("Title,Artist,Genre,Duration")
    assert "'=HYPERLINK" in body and "'@SUM(A1)" in body
    assert "\n=" not in body and "\n@" not in body


def test_big_related_tables_get_a_text_input_with_lookup(admin_browser, users, genre,
                                                         db_session, monkeypatch):
    """Past ``select_limit`` rows the artist is typed (datalist filled by the lookup), and the
    form works without JavaScript: an exact email is enough."""
    from webadmin.songs.forms import SongForm

    monkeypatch.setattr(SongForm.artist, "kwargs", {**SongForm.artist.kwargs,
                                                    "select_limit": 1})
    page = admin_browser.get("/songs/new").get_data(as_text=True)
    assert '<input' in page and 'data-lookup="/songs/lookup/artist"' in page
    assert 'list="artist-options"' in page and '<select id="artist"' not in page
    lookup = admin_browser.get("/songs/lookup/artist?q=sia").get_json()["results"]
    assert [row["value"] for row in lookup] == [users.singer.email]
    response = admin_browser.submit("/songs/new", song_data(genre, artist=users.singer.email))
    assert response.status_code == 302
    assert songs_titled(db_session, "Blue Hour")[0].artist_user_id == users.singer.id


def test_search_by_full_isrc_with_or_without_dashes(singer_browser, users, genre, db_session):
    mine = make_song(db_session, artist=users.singer, genre=genre, isrc="USRC12400077")
    make_song(db_session, artist=users.other_singer, genre=genre, isrc="USRC12400078")
    db_session.commit()
    for term in ("us-rc1-24-00077", "USRC12400077", "USRC1240007"):
        page = singer_browser.get(f"/songs/?q={term}").get_data(as_text=True)
        assert public_ids(page, "songs") == [str(mine.public_id)], term


# --- durations and ISRCs --------------------------------------------------------------------
@pytest.mark.parametrize(("typed", "seconds", "shown"), [
    ("0:01", 1, "0:01"), ("3:05", 185, "3:05"), (" 3:45 ", 225, "3:45"),
    ("59:59", 3599, "59:59"), ("120:00", 7200, "2:00:00"), ("1:00:00", 3600, "1:00:00"),
    ("24:00:00", 86400, "24:00:00"),
])
def test_durations_people_type(singer_browser, genre, db_session, typed, seconds, shown):
    response = singer_browser.submit("/songs/new", song_data(genre, duration_seconds=typed))
    assert response.status_code == 302
    (song,) = songs_titled(db_session, "Blue Hour")
    assert song.duration_seconds == seconds
    page = singer_browser.get(f"/songs/{song.public_id}/edit").get_data(as_text=True)
    assert form_values(page)["duration_seconds"] == shown
    assert f">{shown}<" in singer_browser.get("/songs/").get_data(as_text=True)


@pytest.mark.parametrize(("typed", "message"), [
    ("3:5", "minutes:seconds"), ("1:60:00", "Minutes go from 00 to 59"),
    ("24:00:01", "at most 24 hours"), ("0:00:00", "at least one second"),
    ("3.45", "minutes:seconds"), ("9" * 50, "minutes:seconds"),
])
def test_durations_refused(singer_browser, genre, db_session, typed, message):
    response = singer_browser.submit("/songs/new", song_data(genre, duration_seconds=typed))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in field_error(page, "duration_seconds")
    assert form_values(page)["duration_seconds"] == typed  # what they typed, to correct
    assert songs_titled(db_session, "Blue Hour") == []


@pytest.mark.parametrize(("typed", "stored"), [
    ("us rc1 24 00001", "USRC12400001"), ("US-RC1-24-00001", "USRC12400001"),
    ("gbabc2500123", "GBABC2500123"), ("", None), ("  ", None),
])
def test_isrc_is_normalised_or_left_empty(singer_browser, genre, db_session, typed, stored):
    response = singer_browser.submit("/songs/new", song_data(genre, isrc=typed))
    assert response.status_code == 302
    assert songs_titled(db_session, "Blue Hour")[0].isrc == stored


@pytest.mark.parametrize("typed", ["USRC124000012", "USRC1240000", "U1RC12400001",
                                   "USRC1X400001", "US_RC1_24_00001"])
def test_isrc_of_the_wrong_shape_is_refused(singer_browser, genre, db_session, typed):
    response = singer_browser.submit("/songs/new", song_data(genre, isrc=typed))
    assert response.status_code == 422
    assert "An ISRC looks like US-RC1-24-00001" in field_error(
        response.get_data(as_text=True), "isrc")
    assert songs_titled(db_session, "Blue Hour") == []


def test_songs_without_isrc_never_collide_and_a_deleted_songs_isrc_is_free(
        singer_browser, users, genre, db_session):
    from datetime import UTC, datetime

    make_song(db_session, artist=users.singer, genre=genre, title="No code 1")
    make_song(db_session, artist=users.other_singer, genre=genre, isrc="USRC12400001",
              deleted_at=datetime.now(UTC))
    db_session.commit()
    assert singer_browser.submit("/songs/new", song_data(
        genre, title="No code 2", isrc="")).status_code == 302
    assert singer_browser.submit("/songs/new", song_data(genre)).status_code == 302
    assert songs_titled(db_session, "Blue Hour")[0].isrc == "USRC12400001"


def test_duplicate_isrc_on_edit_keeps_the_input(singer_browser, users, genre, db_session):
    make_song(db_session, artist=users.other_singer, genre=genre, isrc="USRC12400005")
    mine = make_song(db_session, artist=users.singer, genre=genre, title="Mine")
    db_session.commit()
    url = f"/songs/{mine.public_id}/edit"
    data = form_values(singer_browser.get(url).get_data(as_text=True))
    data.update(isrc="us-rc1-24-00005", lyrics="new words")
    response = singer_browser.submit(url, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "isrc") == "Another song already uses the ISRC USRC12400005."
    assert form_values(page)["lyrics"] == "new words"
    db_session.expire_all()
    assert db_session.get(Song, mine.id).isrc is None


# --- a singer's scope on every route ------------------------------------------------------------
def test_singer_cannot_take_over_a_song_by_posting_an_artist(singer_browser, users, genre,
                                                             db_session):
    mine = make_song(db_session, artist=users.singer, genre=genre, title="Mine")
    db_session.commit()
    url = f"/songs/{mine.public_id}/edit"
    data = form_values(singer_browser.get(url).get_data(as_text=True))
    data.update(artist=users.other_singer.email, title="Still mine")
    assert singer_browser.submit(url, data).status_code == 302
    db_session.expire_all()
    song = db_session.get(Song, mine.id)
    assert song.title == "Still mine" and song.artist_user_id == users.singer.id


def test_another_singers_deleted_song_is_out_of_reach(singer_browser, users, genre, db_session):
    from datetime import UTC, datetime

    theirs = make_song(db_session, artist=users.other_singer, genre=genre, title="Their trash",
                       deleted_at=datetime.now(UTC))
    db_session.commit()
    trash = singer_browser.get("/songs/?show=deleted").get_data(as_text=True)
    assert "Their trash" not in trash
    for url in (f"/songs/{theirs.public_id}/history", f"/songs/{theirs.public_id}/edit",
                f"/songs/{theirs.public_id}/delete"):
        response = singer_browser.get(url)
        assert response.status_code == 404 and "Their trash" not in response.get_data(
            as_text=True), url
    data = {"action": "restore", "ids": [str(theirs.public_id)], "show": "deleted",
            "confirm": "yes"}
    response = singer_browser.submit("/songs/", data, action="/songs/bulk")
    assert response.status_code == 409  # nothing of theirs was found to restore
    assert "Their trash" not in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Song, theirs.id).deleted_at is not None


def test_singer_bulk_deletes_and_restores_own_songs(singer_browser, users, genre, db_session):
    songs = [make_song(db_session, artist=users.singer, genre=genre, title=f"Own {n}")
             for n in range(3)]
    db_session.commit()
    ids = [str(s.public_id) for s in songs]
    response = singer_browser.submit("/songs/", {"action": "delete", "ids": ids,
                                                 "confirm": "yes"}, action="/songs/bulk")
    assert response.status_code == 302
    assert "Deleted 3 songs." in singer_browser.get("/songs/").get_data(as_text=True)
    response = singer_browser.submit("/songs/", {"action": "restore", "ids": ids,
                                                 "show": "deleted", "confirm": "yes"},
                                     action="/songs/bulk")
    assert response.status_code == 302
    db_session.expire_all()
    assert all(db_session.get(Song, s.id).deleted_at is None for s in songs)
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action.in_(["record.deleted", "record.restored"]))) == 6


# --- history, export, filters, sorting ------------------------------------------------------------
def test_history_lists_every_change_with_before_and_after(singer_browser, users, genre,
                                                          db_session):
    other_genre = make_genre(db_session, name="Other Genre")
    db_session.commit()
    assert singer_browser.submit("/songs/new", song_data(genre)).status_code == 302
    (song,) = songs_titled(db_session, "Blue Hour")
    url = f"/songs/{song.public_id}/edit"
    data = form_values(singer_browser.get(url).get_data(as_text=True))
    data.update(title="Blue Hour II", genre=str(other_genre.public_id))
    assert singer_browser.submit(url, data).status_code == 302
    page = singer_browser.get(f"/songs/{song.public_id}/history").get_data(as_text=True)
    assert page.index("Changed") < page.index("Created")  # newest first
    for before, after in (("Blue Hour", "Blue Hour II"), ("Test Pop", "Other Genre")):
        assert f'<td data-label="Before">{before}</td>' in page
        assert f'<td data-label="After">{after}</td>' in page
    assert str(genre.public_id) not in page  # related rows by name


def test_export_holds_the_singers_songs_in_words(singer_browser, users, genre, db_session):
    import csv
    import io

    make_song(db_session, artist=users.singer, genre=genre, title="Exported",
              duration_seconds=225, isrc="USRC12400042", status=SongStatus.published,
              is_explicit=True)
    make_song(db_session, artist=users.other_singer, genre=genre, title="Not mine")
    db_session.commit()
    rows = list(csv.DictReader(io.StringIO(
        singer_browser.get("/songs/export.csv").get_data(as_text=True))))
    assert [row["Title"] for row in rows] == ["Exported"]
    row = rows[0]
    assert (row["Artist"], row["Genre"], row["Duration"], row["Isrc"], row["Status"],
            row["Explicit"]) == ("Sia Singer", "Test Pop", "3:45", "USRC12400042",
                                 "published", "Yes")


def test_release_date_range_and_sorting(admin_browser, users, genre, db_session):
    from datetime import date

    early = make_song(db_session, artist=users.singer, genre=genre, title="Early",
                      release_date=date(2020, 1, 1), duration_seconds=300)
    middle = make_song(db_session, artist=users.singer, genre=genre, title="Middle",
                       release_date=date(2022, 6, 15), duration_seconds=100)
    late = make_song(db_session, artist=users.singer, genre=genre, title="Late",
                     release_date=date(2024, 12, 31), duration_seconds=200)
    db_session.commit()

    def ids(query):
        return public_ids(admin_browser.get(f"/songs/?{query}").get_data(as_text=True), "songs")

    assert set(ids("release_date_from=2021-01-01&release_date_to=2024-12-31")) == {
        str(middle.public_id), str(late.public_id)}
    assert ids("release_date_from=2022-06-15&release_date_to=2022-06-15") == [
        str(middle.public_id)]
    assert ids("sort=duration") == [str(s.public_id) for s in (middle, late, early)]
    assert ids("sort=-release") == [str(s.public_id) for s in (late, middle, early)]
    assert ids("sort=title") == [str(s.public_id) for s in (early, late, middle)]
    for bad in ("release_date_from=2024-13-01", "release_date_to=yesterday", "sort=lyrics"):
        assert admin_browser.get(f"/songs/?{bad}").status_code == 200, bad
