"""Races on PostgreSQL with real commits: one request wins, the others get a clear 404/409 page
or a form message — never a 5xx — and the database holds exactly the winners' work, each with
exactly one audit entry.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from tests.admin.support import conflict_rows, field_error, form_values
from tests.factories import make_genre, make_song
from tests.races.conftest import Arena, Person, together
from webadmin.models import Genre, Song

pytestmark = pytest.mark.postgres_only

PEOPLE = 6


def song_fields(genre: Genre, **overrides: str) -> dict[str, str]:
    data = {"title": "Same Title", "genre": str(genre.public_id), "duration_seconds": "3:00",
            "status": "draft", "lyrics": ""}
    data.update(overrides)
    return data


def seed(arena: Arena, **songs: dict) -> dict:
    """A genre and songs by the singer, committed; returns them by name."""
    with arena.session() as db:
        rows: dict = {"genre": make_genre(db, name="Race Genre", slug="race-genre")}
        for name, fields in songs.items():
            rows[name] = make_song(db, artist=arena.users.singer, genre=rows["genre"], **fields)
        db.commit()
    return rows


def live_songs(arena: Arena) -> list[Song]:
    with arena.session() as db:
        return list(db.scalars(select(Song).where(Song.deleted_at.is_(None))
                               .order_by(Song.id)))


def stored(arena: Arena, row: Song) -> Song:
    with arena.session() as db:
        return db.get(Song, row.id)


def test_same_key_creates_one_wins_the_others_get_the_field_error(arena):
    rows = seed(arena)
    people = [arena.person(arena.users.singer) for _ in range(PEOPLE)]
    outcome = together(arena, [
        (lambda p=p, n=n: p.post("/songs/new", song_fields(rows["genre"], lyrics=f"take {n}")))
        for n, p in enumerate(people)])
    assert outcome.statuses == [302] + [422] * (PEOPLE - 1)
    for reply in outcome.with_status(422):
        assert field_error(reply.body, "title") == \
            "This artist already has a song titled “Same Title”."
        assert form_values(reply.body)["title"] == "Same Title"  # the input is kept
    (song,) = live_songs(arena)
    assert arena.audit("record.created", song) == 1
    assert arena.audit("record.created") == 1


def test_edits_from_one_version_one_wins_the_others_see_the_conflict(arena):
    rows = seed(arena, song={"title": "Start", "duration_seconds": 100})
    url = f"/songs/{rows['song'].public_id}/edit"
    people = [arena.person(arena.users.singer) for _ in range(PEOPLE)]
    started = form_values(people[0].get(url).get_data(as_text=True))
    outcome = together(arena, [
        (lambda p=p, n=n: p.post(url, dict(started, title=f"Edit {n}")))
        for n, p in enumerate(people)])
    assert outcome.statuses == [302] + [409] * (PEOPLE - 1)
    song = stored(arena, rows["song"])
    assert song.version_id == 2 and song.title.startswith("Edit ")
    for reply in outcome.with_status(409):
        mine = form_values(reply.body)["title"]
        assert conflict_rows(reply.body) == [("Title", song.title, mine)]
        assert form_values(reply.body)["version_id"] == "2"  # a second save goes through
    assert arena.audit("record.updated", song) == 1


def test_delete_against_delete_one_wins_the_others_are_told_it_is_gone(arena):
    rows = seed(arena, song={"title": "Doomed"})
    url = f"/songs/{rows['song'].public_id}/delete"
    people = [arena.person(arena.users.singer) for _ in range(PEOPLE)]
    outcome = together(arena, [(lambda p=p: p.post(url)) for p in people])
    assert outcome.statuses == [302] + [404] * (PEOPLE - 1)
    for reply in outcome.with_status(404):
        assert "“Doomed” was deleted meanwhile" in reply.body
    assert stored(arena, rows["song"]).deleted_at is not None
    assert arena.audit("record.deleted", rows["song"]) == 1


def test_double_clicks_without_a_gate_never_fail(arena):
    """The same, freely interleaved: some losers read the row after the winner committed."""
    rows = seed(arena, song={"title": "Clicked"})
    url = f"/songs/{rows['song'].public_id}/delete"
    people = [arena.person(arena.users.superadmin) for _ in range(PEOPLE)]
    outcome = together(arena, [(lambda p=p: p.post(url)) for p in people], gate=False)
    assert outcome.statuses == [302] + [404] * (PEOPLE - 1)
    assert arena.audit("record.deleted", rows["song"]) == 1


@pytest.mark.parametrize("winner", ["edit", "delete"])
def test_delete_against_edit_exactly_one_of_them_happens(arena, winner):
    rows = seed(arena, song={"title": "Contested"})
    song = rows["song"]
    editor, deleter = arena.person(arena.users.singer), arena.person(arena.users.superadmin)
    edit_url = f"/songs/{song.public_id}/edit"
    data = dict(form_values(editor.get(edit_url).get_data(as_text=True)), title="Edited")
    edit, delete = together(arena, [lambda: editor.post(edit_url, data),
                                    lambda: deleter.post(f"/songs/{song.public_id}/delete")],
                            first=["edit", "delete"].index(winner)).replies
    now = stored(arena, song)
    if winner == "delete":  # the edit says so, keeps the input, offers nothing as success
        assert (edit.status, delete.status) == (404, 302)
        assert "This song was deleted while you were editing it" in edit.body
        assert form_values(edit.body)["title"] == "Edited"
        assert now.deleted_at is not None and now.title == "Contested"
        assert (arena.audit("record.deleted", song), arena.audit("record.updated", song)) == \
            (1, 0)
    else:  # the delete did nothing and asks to confirm again, for the row as it is now
        assert (edit.status, delete.status) == (302, 409)
        assert "while you were confirming; it was not deleted" in delete.body
        assert now.deleted_at is None and now.title == "Edited"
        assert (arena.audit("record.deleted", song), arena.audit("record.updated", song)) == \
            (0, 1)


def test_bulk_against_bulk_every_row_deleted_exactly_once(arena):
    rows = seed(arena, **{f"s{n}": {"title": f"Bulk {n}"} for n in range(9)})
    songs = [rows[f"s{n}"] for n in range(9)]
    first, second = arena.person(arena.users.superadmin), arena.person(arena.users.singer)

    def bulk(person: Person, chosen: list[Song]):
        return lambda: person.post("/songs/bulk", {
            "action": "delete", "confirm": "yes", "ids": [str(s.public_id) for s in chosen]})

    a, b = together(arena, [bulk(first, songs[:6]), bulk(second, songs[3:])]).replies
    assert (a.status, b.status) == (302, 302)  # each deleted something
    assert live_songs(arena) == []
    for song in songs:
        assert arena.audit("record.deleted", song) == 1, song.title
    assert arena.audit("record.deleted") == 9


def test_bulk_against_the_same_bulk_the_loser_is_told_nothing_was_done(arena):
    rows = seed(arena, **{f"s{n}": {"title": f"Twin bulk {n}"} for n in range(4)})
    ids = [str(rows[f"s{n}"].public_id) for n in range(4)]
    people = [arena.person(arena.users.superadmin) for _ in range(3)]
    outcome = together(arena, [
        (lambda p=p: p.post("/songs/bulk", {"action": "delete", "confirm": "yes", "ids": ids}))
        for p in people])
    assert outcome.statuses == [302, 409, 409]
    for reply in outcome.with_status(409):
        assert "Nothing was deleted" in reply.body
        assert "someone else deleted it meanwhile" in reply.body
    assert arena.audit("record.deleted") == 4


def test_restore_against_restore_one_wins(arena):
    rows = seed(arena, song={"title": "Back again", "deleted_at": datetime.now(UTC)})
    data = {"action": "restore", "confirm": "yes", "show": "deleted",
            "ids": [str(rows["song"].public_id)]}
    people = [arena.person(arena.users.superadmin) for _ in range(3)]
    outcome = together(arena, [(lambda p=p: p.post("/songs/bulk", data)) for p in people])
    assert outcome.statuses == [302, 409, 409]
    for reply in outcome.with_status(409):
        assert "someone else restored it meanwhile" in reply.body
    assert stored(arena, rows["song"]).deleted_at is None
    assert arena.audit("record.restored", rows["song"]) == 1


@pytest.mark.parametrize("winner", ["restore", "create"])
def test_restore_against_a_create_of_the_same_title_one_live_song(arena, winner):
    rows = seed(arena, old={"title": "Twin", "deleted_at": datetime.now(UTC)})
    restorer, creator = arena.person(arena.users.superadmin), arena.person(arena.users.singer)
    restore, create = together(arena, [
        lambda: restorer.post("/songs/bulk", {"action": "restore", "confirm": "yes",
                                              "show": "deleted",
                                              "ids": [str(rows["old"].public_id)]}),
        lambda: creator.post("/songs/new", song_fields(rows["genre"], title="twin")),
    ], first=["restore", "create"].index(winner)).replies
    (live,) = live_songs(arena)
    with arena.session() as db:
        every_song = db.scalar(select(func.count()).select_from(Song))
    if winner == "restore":
        assert (restore.status, create.status) == (302, 422)
        assert field_error(create.body, "title") == \
            "This artist already has a song titled “twin”."
        assert form_values(create.body)["title"] == "twin"
        assert live.id == rows["old"].id and every_song == 1
        assert (arena.audit("record.restored"), arena.audit("record.created")) == (1, 0)
    else:
        assert (restore.status, create.status) == (409, 302)
        assert "“Twin” was skipped: This artist already has a song titled “Twin”." in \
            restore.body
        assert live.title == "twin" and every_song == 2
        assert (arena.audit("record.restored"), arena.audit("record.created")) == (0, 1)


def test_account_actions_against_each_other(arena):
    """Two superadmins deactivating the same singer, a third setting its password."""
    singer = arena.users.singer
    people = [arena.person(arena.users.superadmin) for _ in range(3)]
    outcome = together(arena, [
        lambda: people[0].post(f"/users/{singer.public_id}/deactivate"),
        lambda: people[1].post(f"/users/{singer.public_id}/deactivate"),
        lambda: people[2].post(f"/users/{singer.public_id}/password",
                               {"password": "a long enough new password",
                                "confirm": "a long enough new password"}),
    ])
    assert outcome.statuses == [302, 409, 409]
    for reply in outcome.with_status(409):
        assert "Someone else changed this user meanwhile" in reply.body
    done = arena.audit("user.deactivated") + arena.audit("user.password_set")
    assert done == 1
