"""Database refusals are named by constraint on both backends and mapped to human messages."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import DBAPIError

from tests.admin.support import field_error
from tests.factories import make_genre, make_song
from webadmin.admin import site
from webadmin.admin.errors import GENERIC_DATA_ERROR, constraint_of, field_error_for
from webadmin.models import AuditEvent, Genre, Song


def refusal(session, statement):
    """Run ``statement`` in a savepoint and return the error it raises."""
    savepoint = session.begin_nested()
    try:
        session.execute(statement)
    except DBAPIError as exc:
        savepoint.rollback()
        return exc
    savepoint.rollback()
    raise AssertionError("the database accepted the statement")


def test_constraint_names_on_this_backend(db_session, backend):
    genre = make_genre(db_session, name="Ska", slug="ska")
    song = make_song(db_session, genre=genre, title="Hit", isrc="USRC12400099")
    cases = {
        "uq_genre_name_live": insert(Genre).values(name="SKA", slug="other"),
        "uq_genre_slug_live": insert(Genre).values(name="Other", slug="ska"),
        "uq_song_artist_title_live": insert(Song).values(
            title="HIT", artist_user_id=song.artist_user_id, genre_id=genre.id,
            duration_seconds=10, lyrics=""),
        "uq_song_isrc_live": insert(Song).values(
            title="Other", artist_user_id=song.artist_user_id, genre_id=genre.id,
            duration_seconds=10, isrc="USRC12400099", lyrics=""),
        "ck_song_duration_positive": insert(Song).values(
            title="Zero", artist_user_id=song.artist_user_id, genre_id=genre.id,
            duration_seconds=0, lyrics=""),
    }
    for expected, statement in cases.items():
        assert constraint_of(refusal(db_session, statement)) == expected
    fk = refusal(db_session, insert(Song).values(
        title="Orphan", artist_user_id=song.artist_user_id, genre_id=987654,
        duration_seconds=10, lyrics=""))
    assert constraint_of(fk) == ("fk_song_genre_id_genre" if backend == "postgresql"
                                 else "foreign_key")
    # The session is usable after every refusal.
    assert db_session.get(Genre, genre.id).name == "Ska"


def test_messages_come_from_the_section_not_the_database(db_session):
    genre = make_genre(db_session, name="Ska", slug="ska")
    exc = refusal(db_session, insert(Genre).values(name="ska", slug="x"))
    candidate = Genre(name="ska", slug="x")
    error = field_error_for(site["genres"], exc, candidate)
    assert (error.field, error.message) == ("name", "A genre named “ska” already exists.")
    assert genre.id is not None


@pytest.mark.postgres_only
def test_data_error_becomes_a_form_error_without_database_text(admin_browser, monkeypatch,
                                                                caplog):
    """A value the form let through but PostgreSQL refuses (NUL byte in text)."""
    from webadmin.genres.admin import GenreAdmin

    original = GenreAdmin.populate

    def sneak_nul(self, obj, form, user):
        original(self, obj, form, user)
        obj.description = "bad\x00byte"

    monkeypatch.setattr(GenreAdmin, "populate", sneak_nul)
    with caplog.at_level(logging.INFO):
        response = admin_browser.submit("/genres/new", {"name": "Nul", "slug": "nul"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert GENERIC_DATA_ERROR.replace("'", "&#39;") in page
    for leak in ("NUL (0x00)", "INSERT", "psycopg"):
        assert leak not in page
        assert all(leak not in record.getMessage() for record in caplog.records)
    assert admin_browser.get("/genres/").status_code == 200


def test_nul_bytes_and_huge_values_are_field_errors(admin_browser):
    response = admin_browser.submit("/genres/new", {"name": "a\x00b", "slug": "",
                                                    "description": "x" * 100_000})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "NUL" in field_error(page, "name")
    assert "2000" in field_error(page, "description")


def test_oversized_body_is_413_says_so_and_writes_nothing(admin_browser, db_session):
    def counts():
        db_session.expire_all()
        return (db_session.scalar(select(func.count()).select_from(Genre)),
                db_session.scalar(select(func.count()).select_from(AuditEvent)))

    before = counts()
    response = admin_browser.submit("/genres/new", {"name": "x", "description": "y" * 3_000_000})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "<title>Too large · webadmin</title>" in page
    assert "What you sent is larger than the server accepts." in page
    assert "The limit is 2 MB." in page
    assert counts() == before
    assert admin_browser.get("/genres/").status_code == 200  # still signed in, still working
