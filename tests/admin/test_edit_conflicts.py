"""The edit-conflict page tells the truth: "what changed" lists exactly the fields the other
save changed, by their labels, with values as a person reads them, beside the user's kept input.
"""

from __future__ import annotations

import re

from tests.admin.support import UUID_RE, conflict_rows, form_values, signed_in
from tests.factories import make_genre, make_plan, make_song
from webadmin.models import Song, SongStatus, SubscriptionPlan


def two_editors(app, users, url):
    first = signed_in(app, users.superadmin.email)
    second = signed_in(app, users.singer.email)
    return (first, form_values(first.get(url).get_data(as_text=True)),
            second, form_values(second.get(url).get_data(as_text=True)))


def test_conflict_lists_only_the_title_the_other_editor_changed(app, users, db_session):
    """Issue 8, finding 7: the page listed Artist and Genre (unchanged) with raw UUIDs and not
    the Title that was changed."""
    genre = make_genre(db_session, name="Test Pop")
    song = make_song(db_session, artist=users.singer, genre=genre, title="Original",
                     duration_seconds=200)
    db_session.commit()
    url = f"/songs/{song.public_id}/edit"
    first, first_form, second, second_form = two_editors(app, users, url)
    first_form["title"] = "First wins"
    assert first.submit(url, first_form).status_code == 302

    second_form["duration_seconds"] = "9:59"
    response = second.submit(url, second_form)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert conflict_rows(page) == [("Title", "First wins", "Original")]
    conflict = page[page.index("What changed"):page.index("</table>")]
    assert not re.search(UUID_RE, conflict)
    kept = form_values(page)
    assert kept["title"] == "Original" and kept["duration_seconds"] == "9:59"


def test_conflict_values_read_as_a_person_reads_them(app, users, db_session):
    pop, jazz = make_genre(db_session, name="Test Pop"), make_genre(db_session, name="Jazzy")
    song = make_song(db_session, artist=users.singer, genre=pop, title="Tune",
                     duration_seconds=200, status=SongStatus.draft)
    db_session.commit()
    url = f"/songs/{song.public_id}/edit"
    first, first_form, second, second_form = two_editors(app, users, url)
    first_form.update(genre=str(jazz.public_id), duration_seconds="1:02:03",
                      status="archived", is_explicit="y")
    assert first.submit(url, first_form).status_code == 302

    second_form["title"] = "Tune (my edit)"
    response = second.submit(url, second_form)
    assert response.status_code == 409
    assert conflict_rows(response.get_data(as_text=True)) == [
        ("Genre", "Jazzy", "Test Pop"),
        ("Duration", "1:02:03", "3:20"),
        ("Status", "Archived", "Draft"),
        ("Explicit lyrics", "Yes", "No"),
    ]


def test_conflict_on_a_plan_shows_money_and_choices(app, users, db_session):
    plan = make_plan(db_session, code="gold", name="Gold", price_cents=999)
    db_session.commit()
    url = f"/plans/{plan.public_id}/edit"
    first = signed_in(app, users.superadmin.email)
    mine = form_values(first.get(url).get_data(as_text=True))
    other = dict(mine, price_cents="12.5", billing_interval="year")
    assert first.submit(url, other).status_code == 302

    mine["name"] = "Gold (renamed)"
    response = first.submit(url, mine)
    assert response.status_code == 409
    assert conflict_rows(response.get_data(as_text=True)) == [
        ("Price", "12.50", "9.99"),
        ("Billing interval", "Every year", "Every month"),
    ]
    db_session.expire_all()
    assert db_session.get(SubscriptionPlan, plan.id).name == "Gold"


def test_a_second_conflict_compares_with_the_version_shown_by_the_first(app, users,
                                                                        db_session):
    song = make_song(db_session, artist=users.singer, title="One", duration_seconds=60)
    db_session.commit()
    url = f"/songs/{song.public_id}/edit"
    first, first_form, second, second_form = two_editors(app, users, url)
    first_form["title"] = "Two"
    assert first.submit(url, first_form).status_code == 302
    second_form["lyrics"] = "my lyrics"
    response = second.submit(url, second_form)
    assert conflict_rows(response.get_data(as_text=True)) == [("Title", "Two", "One")]
    kept = form_values(response.get_data(as_text=True))

    # Before the second editor saves again, the first changes the duration.
    first_form = form_values(first.get(url).get_data(as_text=True))
    first_form["duration_seconds"] = "2:00"
    assert first.submit(url, first_form).status_code == 302
    response = second.submit(url, kept)
    assert response.status_code == 409
    assert conflict_rows(response.get_data(as_text=True)) == [("Duration", "2:00", "1:00")]
    # The third save is deliberate and goes through, with the user's kept input.
    assert second.submit(url, form_values(response.get_data(as_text=True))).status_code == 302
    db_session.expire_all()
    stored = db_session.get(Song, song.id)
    assert (stored.title, stored.duration_seconds, stored.lyrics) == ("One", 60, "my lyrics")


def test_a_change_outside_the_form_says_no_field_changed(app, users, db_session):
    """Another write bumped the version without touching a field of this form."""
    from sqlalchemy import update

    song = make_song(db_session, artist=users.singer, title="Quiet")
    db_session.commit()
    url = f"/songs/{song.public_id}/edit"
    editor = signed_in(app, users.singer.email)
    data = form_values(editor.get(url).get_data(as_text=True))
    db_session.execute(update(Song).where(Song.id == song.id).values(
        version_id=Song.version_id + 1))
    db_session.commit()
    data["title"] = "Loud"
    response = editor.submit(url, data)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert conflict_rows(page) == []
    assert "None of the fields on this form changed" in page


def test_a_form_without_its_starting_point_compares_with_the_input(app, users, db_session):
    """A client that drops the hidden starting point still gets a truthful page: the fields
    where the saved value differs from what it sent."""
    song = make_song(db_session, artist=users.singer, title="Old", duration_seconds=60)
    db_session.commit()
    url = f"/songs/{song.public_id}/edit"
    first, first_form, second, second_form = two_editors(app, users, url)
    first_form["title"] = "New"
    assert first.submit(url, first_form).status_code == 302
    second_form.pop("_seen")
    response = second.submit(url, second_form)
    assert response.status_code == 409
    assert conflict_rows(response.get_data(as_text=True)) == [("Title", "New", "Old")]


def test_a_forged_starting_point_is_harmless(app, users, db_session):
    song = make_song(db_session, artist=users.singer, title="Old")
    db_session.commit()
    url = f"/songs/{song.public_id}/edit"
    first, first_form, second, second_form = two_editors(app, users, url)
    first_form["title"] = "New"
    assert first.submit(url, first_form).status_code == 302
    for forged in ("", "not base64!", "e30", "W10", "eyJ0aXRsZSI6IDF9", "x" * 5000):
        response = second.submit(url, dict(second_form, _seen=forged))
        assert response.status_code == 409, forged
