"""Genres end to end through the test client: create, edit, soft delete, duplicates, cycles,
blocked deletes, history."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.admin.support import field_error, form_values, public_ids
from tests.factories import make_genre, make_song
from webadmin.models import AuditEvent, Genre


def live_genre(db_session, name):
    return db_session.scalars(select(Genre).where(
        func.lower(Genre.name) == name.lower(), Genre.deleted_at.is_(None))).one_or_none()


def test_create_edit_delete_round_trip(admin_browser, db_session):
    response = admin_browser.submit("/genres/new", {"name": "Synthwave", "slug": "",
                                                    "parent": "", "description": "Retro."})
    assert response.status_code == 302
    genre = live_genre(db_session, "Synthwave")
    assert genre.slug == "synthwave" and genre.description == "Retro."

    page = admin_browser.get(f"/genres/{genre.public_id}/edit").get_data(as_text=True)
    data = form_values(page)
    assert data["name"] == "Synthwave" and data["version_id"] == "1"
    data.update(name="Synthwave Deluxe", description="Neon.")
    response = admin_browser.submit(f"/genres/{genre.public_id}/edit", data)
    assert response.status_code == 302
    db_session.expire_all()
    assert live_genre(db_session, "Synthwave Deluxe").description == "Neon."

    listing = admin_browser.get("/genres/?q=deluxe").get_data(as_text=True)
    assert "Synthwave Deluxe" in listing

    response = admin_browser.submit(f"/genres/{genre.public_id}/delete")
    assert response.status_code == 302
    db_session.expire_all()
    assert live_genre(db_session, "Synthwave Deluxe") is None
    assert db_session.get(Genre, genre.id).deleted_at is not None
    listing = admin_browser.get("/genres/").get_data(as_text=True)
    assert "Deleted genre “Synthwave Deluxe”." in listing  # the flash
    assert str(genre.public_id) not in public_ids(listing, "genres")
    assert admin_browser.get(f"/genres/{genre.public_id}/edit").status_code == 404
    actions = db_session.scalars(select(AuditEvent.action).where(
        AuditEvent.target_public_id == str(genre.public_id)).order_by(AuditEvent.id)).all()
    assert actions == ["record.created", "record.updated", "record.deleted"]


def test_validation_error_keeps_input(admin_browser):
    response = admin_browser.submit("/genres/new", {"name": "", "slug": "Not A Slug!",
                                                    "description": "kept text"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "name") == "Enter a name."
    assert "lowercase letters" in field_error(page, "slug")
    assert form_values(page)["slug"] == "Not A Slug!"
    assert "kept text" in page
    assert 'aria-invalid="true"' in page


def test_duplicate_name_is_a_form_error(admin_browser, db_session):
    make_genre(db_session, name="Rock Steady", slug="rock-steady")
    db_session.commit()
    response = admin_browser.submit("/genres/new", {"name": "rock steady", "slug": "other"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "name") == "A genre named “rock steady” already exists."
    assert form_values(page)["name"] == "rock steady"


def test_duplicate_slug_and_auto_slug_suffix(admin_browser, db_session):
    make_genre(db_session, name="Lo-fi", slug="lo-fi")
    db_session.commit()
    response = admin_browser.submit("/genres/new", {"name": "Chill", "slug": "lo-fi"})
    assert response.status_code == 422
    assert "already used" in field_error(response.get_data(as_text=True), "slug")
    # A blank slug is made from the name and never collides.
    response = admin_browser.submit("/genres/new", {"name": "Lo fi", "slug": ""})
    assert response.status_code == 302
    assert live_genre(db_session, "Lo fi").slug == "lo-fi-2"


def test_name_of_a_deleted_genre_can_be_reused(admin_browser, db_session):
    old = make_genre(db_session, name="Grunge", slug="grunge")
    db_session.commit()
    assert admin_browser.submit(f"/genres/{old.public_id}/delete").status_code == 302
    response = admin_browser.submit("/genres/new", {"name": "Grunge", "slug": "grunge"})
    assert response.status_code == 302


def test_parent_cycle_is_refused(admin_browser, db_session):
    top = make_genre(db_session, name="Top")
    middle = make_genre(db_session, name="Middle", parent=top)
    make_genre(db_session, name="Bottom", parent=middle)
    db_session.commit()
    url = f"/genres/{top.public_id}/edit"
    data = form_values(admin_browser.get(url).get_data(as_text=True))
    data["parent"] = "Bottom"
    response = admin_browser.submit(url, data)
    assert response.status_code == 422
    assert "own ancestor" in field_error(response.get_data(as_text=True), "parent")
    data["parent"] = str(top.public_id)
    response = admin_browser.submit(url, data)
    assert response.status_code == 422
    db_session.expire_all()
    assert db_session.get(Genre, top.id).parent_genre_id is None


def test_unknown_parent_is_a_field_error(admin_browser):
    response = admin_browser.submit("/genres/new", {"name": "Orphan", "parent": "No Such"})
    assert response.status_code == 422
    assert "No parent genre matches" in field_error(response.get_data(as_text=True), "parent")


def test_delete_blocked_while_songs_use_the_genre(admin_browser, db_session):
    genre = make_genre(db_session, name="Busy")
    for _ in range(3):
        make_song(db_session, genre=genre)
    db_session.commit()
    page = admin_browser.get(f"/genres/{genre.public_id}/delete")
    assert "This genre has 3 songs; move or delete them first." in page.get_data(as_text=True)
    response = admin_browser.submit(f"/genres/{genre.public_id}/delete",
                                    action=f"/genres/{genre.public_id}/delete")
    assert response.status_code == 409
    db_session.expire_all()
    assert db_session.get(Genre, genre.id).deleted_at is None


def test_history_shows_before_and_after(admin_browser, db_session):
    genre = make_genre(db_session, name="Dub")
    db_session.commit()
    url = f"/genres/{genre.public_id}/edit"
    data = form_values(admin_browser.get(url).get_data(as_text=True))
    data["name"] = "Dubstep"
    assert admin_browser.submit(url, data).status_code == 302
    page = admin_browser.get(f"/genres/{genre.public_id}/history").get_data(as_text=True)
    assert "<strong>Changed</strong>" in page
    assert "<td data-label=\"Before\">Dub</td>" in page
    assert "<td data-label=\"After\">Dubstep</td>" in page


def test_genres_are_superadmin_only(singer_browser, db_session):
    genre = make_genre(db_session)
    db_session.commit()
    for url in ("/genres/", "/genres/new", f"/genres/{genre.public_id}/edit"):
        assert singer_browser.get(url).status_code == 403
