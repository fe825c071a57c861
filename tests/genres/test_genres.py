"""Genres end to end through the test client: create, edit, soft delete, duplicates, cycles,
blocked deletes, history."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
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
    new = live_genre(db_session, "Grunge")
    assert new is not None and new.id != old.id and new.slug == "grunge"
    db_session.expire_all()
    assert db_session.get(Genre, old.id).deleted_at is not None  # the old one stays deleted
    # …and cannot come back while the new one holds the name.
    data = {"action": "restore", "ids": [str(old.public_id)], "show": "deleted",
            "confirm": "yes"}
    response = admin_browser.submit("/genres/", data, action="/genres/bulk")
    assert response.status_code == 409
    assert "A genre named “Grunge” already exists." in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Genre, old.id).deleted_at is not None


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


# --- validation, per field ------------------------------------------------------------------
@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "", "Enter a name."),
    ("name", "   ", "Enter a name."),
    ("name", "n" * 101, "100"),
    ("name", "nul\x00name", "NUL"),
    ("slug", "Upper-Case", "lowercase letters"),
    ("slug", "double--dash", "single dashes"),
    ("slug", "-leading", "lowercase letters"),
    ("slug", "s" * 101, "100"),
    ("description", "d" * 2001, "2000"),
    ("parent", "No Such Genre", "No parent genre matches “No Such Genre”."),
    ("parent", "00000000-0000-0000-0000-000000000000", "No parent genre matches"),
])
def test_each_field_says_what_is_wrong_and_keeps_the_input(admin_browser, db_session, field,
                                                           value, message):
    data = {"name": "Kept Name", "slug": "kept-slug", "parent": "", "description": "kept"}
    data[field] = value
    before = db_session.scalar(select(func.count()).select_from(Genre))
    response = admin_browser.submit("/genres/new", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = field_error(page, field)
    assert error is not None and message in error, error
    assert 'aria-invalid="true"' in page
    kept = form_values(page)
    for other in ("name", "slug", "description"):
        if other != field:
            assert kept[other] == data[other]
    assert db_session.scalar(select(func.count()).select_from(Genre)) == before


def test_duplicate_name_on_edit_is_case_insensitive_and_keeps_the_input(admin_browser,
                                                                        db_session):
    make_genre(db_session, name="Bossa Nova", slug="bossa-nova")
    other = make_genre(db_session, name="Samba", slug="samba")
    db_session.commit()
    url = f"/genres/{other.public_id}/edit"
    data = form_values(admin_browser.get(url).get_data(as_text=True))
    data.update(name="BOSSA NOVA", description="typed")
    response = admin_browser.submit(url, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "name") == "A genre named “BOSSA NOVA” already exists."
    assert form_values(page)["description"] == "typed"
    db_session.expire_all()
    assert db_session.get(Genre, other.id).name == "Samba"
    # Changing only the case of its own name is not a duplicate.
    data["name"] = "SAMBA"
    assert admin_browser.submit(url, data).status_code == 302


@pytest.mark.parametrize("depth", [1, 2, 5])
def test_no_parent_cycle_at_any_depth(admin_browser, db_session, depth):
    chain = [make_genre(db_session, name=f"Level {n}") for n in range(depth + 1)]
    for parent, child in zip(chain, chain[1:], strict=False):
        child.parent = parent
    db_session.commit()
    top, bottom = chain[0], chain[-1]
    url = f"/genres/{top.public_id}/edit"
    data = form_values(admin_browser.get(url).get_data(as_text=True))
    data["parent"] = str(bottom.public_id)
    response = admin_browser.submit(url, data)
    assert response.status_code == 422
    assert "own ancestor" in field_error(response.get_data(as_text=True), "parent")
    db_session.expire_all()
    assert db_session.get(Genre, top.id).parent_genre_id is None


def test_a_genre_moves_under_another_parent(admin_browser, db_session):
    rock, jazz = make_genre(db_session, name="Rock"), make_genre(db_session, name="Jazz")
    sub = make_genre(db_session, name="Fusion", parent=rock)
    db_session.commit()
    url = f"/genres/{sub.public_id}/edit"
    data = form_values(admin_browser.get(url).get_data(as_text=True))
    assert data["parent"] == str(rock.public_id)
    data["parent"] = "jazz"  # an exact name (or slug) works without JavaScript
    assert admin_browser.submit(url, data).status_code == 302
    db_session.expire_all()
    assert db_session.get(Genre, sub.id).parent_genre_id == jazz.id
    page = admin_browser.get(f"/genres/{sub.public_id}/history").get_data(as_text=True)
    assert '<td data-label="Before">Rock</td>' in page  # names, not ids
    assert '<td data-label="After">Jazz</td>' in page


# --- delete: impact, blocked, subgenres -----------------------------------------------------
def test_delete_page_counts_what_blocks_it(admin_browser, db_session):
    genre = make_genre(db_session, name="Parent")
    make_genre(db_session, name="Child A", parent=genre)
    make_genre(db_session, name="Child B", parent=genre)
    make_song(db_session, genre=genre)
    make_genre(db_session, name="Gone child", parent=genre, deleted_at=datetime.now(UTC))
    db_session.commit()
    page = admin_browser.get(f"/genres/{genre.public_id}/delete").get_data(as_text=True)
    assert "“Parent” can't be deleted yet" in page
    assert "This genre has 1 song; move or delete them first." in page
    assert "This genre has 2 subgenres; move or delete them first." in page  # live ones only
    assert "Yes, delete" not in page


def test_deleting_the_last_song_unblocks_the_genre(admin_browser, users, db_session):
    genre = make_genre(db_session, name="Almost free")
    song = make_song(db_session, genre=genre, artist=users.singer)
    db_session.commit()
    assert admin_browser.submit(f"/genres/{genre.public_id}/delete",
                                action=f"/genres/{genre.public_id}/delete").status_code == 409
    assert admin_browser.submit(f"/songs/{song.public_id}/delete").status_code == 302
    page = admin_browser.get(f"/genres/{genre.public_id}/delete").get_data(as_text=True)
    assert "Yes, delete" in page
    assert admin_browser.submit(f"/genres/{genre.public_id}/delete").status_code == 302


# --- bulk, export, filters ------------------------------------------------------------------
def test_bulk_delete_then_restore(admin_browser, db_session):
    genres = [make_genre(db_session, name=f"Bulk {n}") for n in range(3)]
    db_session.commit()
    ids = [str(g.public_id) for g in genres]
    confirm = admin_browser.submit("/genres/", {"action": "delete", "ids": ids},
                                   action="/genres/bulk")
    assert confirm.status_code == 200
    assert "3 will be deleted" in confirm.get_data(as_text=True)
    response = admin_browser.submit("/genres/", {"action": "delete", "ids": ids,
                                                 "confirm": "yes"}, action="/genres/bulk")
    assert response.status_code == 302
    assert "Deleted 3 genres." in admin_browser.get("/genres/").get_data(as_text=True)
    trash = admin_browser.get("/genres/?show=deleted").get_data(as_text=True)
    assert sorted(public_ids(trash, "genres")) == sorted(ids)
    response = admin_browser.submit("/genres/", {"action": "restore", "ids": ids[:2],
                                                 "show": "deleted", "confirm": "yes"},
                                    action="/genres/bulk")
    assert response.status_code == 302
    db_session.expire_all()
    assert [db_session.get(Genre, g.id).deleted_at is None for g in genres] == \
        [True, True, False]
    actions = db_session.scalars(select(AuditEvent.action).where(
        AuditEvent.target_public_id == ids[0]).order_by(AuditEvent.id)).all()
    assert actions == ["record.deleted", "record.restored"]


def test_export_lists_names_slugs_and_parents_safely(admin_browser, db_session):
    top = make_genre(db_session, name="Electronic", slug="electronic")
    make_genre(db_session, name="=cmd|' /C calc'!A0", slug="formula", parent=top)
    make_genre(db_session, name="Hidden", slug="hidden", deleted_at=datetime.now(UTC))
    db_session.commit()
    response = admin_browser.get("/genres/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Name", "Slug", "Parent", "Added"]
    by_slug = {row[1]: row for row in rows[1:]}
    assert by_slug["formula"][0] == "'=cmd|' /C calc'!A0" and by_slug["formula"][2] == \
        "Electronic"
    assert by_slug["electronic"][2] == "" and "hidden" not in by_slug


def test_filters_and_search(admin_browser, db_session):
    rock = make_genre(db_session, name="Rock", slug="rock")
    punk = make_genre(db_session, name="Punk", slug="punk-rock", parent=rock)
    indie = make_genre(db_session, name="Indie", slug="indie", parent=rock)
    make_genre(db_session, name="Jazz", slug="jazz")
    db_session.commit()

    def ids(query):
        return set(public_ids(admin_browser.get(f"/genres/?{query}").get_data(as_text=True),
                              "genres"))

    assert ids(f"parent={rock.public_id}") == {str(punk.public_id), str(indie.public_id)}
    assert ids("parent=rock") == {str(punk.public_id), str(indie.public_id)}
    assert ids("q=punk-rock") == {str(punk.public_id)}  # by slug
    assert ids("q=ROCK") == {str(rock.public_id), str(punk.public_id)}
    for bad in ("parent=nope", "sort=bogus", "per_page=7", "q=%25%25"):
        assert admin_browser.get(f"/genres/?{bad}").status_code == 200, bad


@pytest.mark.parametrize("path", ["/genres/", "/genres/new", "/genres/export.csv",
                                  "/genres/lookup/parent?q=a", "{genre}/edit", "{genre}/delete",
                                  "{genre}/history"])
def test_every_genre_page_is_403_for_a_singer(singer_browser, db_session, path):
    genre = make_genre(db_session)
    db_session.commit()
    assert singer_browser.get(path.format(genre=f"/genres/{genre.public_id}")
                              ).status_code == 403


def test_a_singers_posts_change_nothing(singer_browser, admin_browser, db_session):
    genre = make_genre(db_session, name="Guarded")
    db_session.commit()
    token = singer_browser.token_for("/songs/")
    for url, data in ((f"/genres/{genre.public_id}/delete", {}),
                      (f"/genres/{genre.public_id}/edit", {"name": "Hacked"}),
                      ("/genres/new", {"name": "Sneaky"}),
                      ("/genres/bulk", {"action": "delete", "confirm": "yes",
                                        "ids": [str(genre.public_id)]})):
        response = singer_browser.client.post(url, data={**data, "csrf_token": token})
        assert response.status_code == 403, url
    db_session.expire_all()
    stored = db_session.get(Genre, genre.id)
    assert stored.name == "Guarded" and stored.deleted_at is None
    assert live_genre(db_session, "Sneaky") is None
