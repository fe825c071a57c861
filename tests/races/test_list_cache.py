"""The list cache (webadmin/admin/listcache.py) with real commits on PostgreSQL: a repeated list
view is answered from the cache in one statement, and it never shows a row older than the
database holds, nor another person's rows or CSRF token."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import update

from tests.admin.support import count_statements
from tests.factories import make_genre, make_song
from tests.races.conftest import Arena
from webadmin.admin import listcache
from webadmin.models import Genre, Song, User

pytestmark = pytest.mark.postgres_only

LIST = "/songs/?per_page=50"


@pytest.fixture
def cached(arena: Arena) -> Arena:
    arena.app.config["LIST_CACHE_SIZE"] = 8
    with arena.session() as db:
        genre = make_genre(db, name="Cache Genre", slug="cache-genre")
        for n in range(3):
            make_song(db, artist=arena.users.singer, genre=genre, title=f"Mine {n}")
        make_song(db, artist=arena.users.other_singer, genre=genre, title="Theirs")
        db.commit()
    return arena


def titles(page: str) -> list[str]:
    return re.findall(r'<td><a href="/songs/[0-9a-f-]+/edit">([^<]*)</a></td>', page)


def view(person: Any, arena: Arena, url: str = LIST) -> tuple[str, list[str]]:
    with count_statements(arena.app) as statements:
        response = person.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True), statements


def hit(views: Any, tries: int = 5) -> tuple[str, list[str]]:
    """The page and statements of the last of ``views()``'s views once it was answered from the
    cache. Snapshots are cluster-wide: a commit in another database of the server (another test
    suite, an autovacuum) between two views makes a miss, so a few tries are allowed — a cache
    that never answers fails all of them."""
    for _ in range(tries):
        page, statements = views()
        if len(statements) == 1:
            return page, statements
    raise AssertionError(f"no view answered from the cache in {tries} tries: {statements}")


def commit(arena: Arena, statement: Any) -> None:
    """Another worker's write: its own connection, a real commit."""
    with arena.session() as db:
        db.execute(statement)
        db.commit()


def test_a_repeated_view_is_one_statement_and_the_same_rows(cached):
    admin = cached.person(cached.users.superadmin)
    first, statements = view(admin, cached)
    assert len(statements) >= 2  # the user, the page (a cold process: the filter choices too)
    again, statements = hit(lambda: view(admin, cached))
    assert "session_token" in statements[0]  # the user, nothing else
    assert titles(again) == titles(first) and len(titles(first)) == 4
    other_url, statements = view(admin, cached, LIST + "&sort=title")
    assert len(statements) == 2  # another URL is another entry
    assert titles(other_url) == sorted(titles(first))


@pytest.mark.parametrize("change", ["title", "artist", "genre", "delete", "insert"])
def test_every_committed_change_shows_at_once(cached, change):
    admin = cached.person(cached.users.superadmin)
    hit(lambda: view(admin, cached))  # cached now
    if change == "title":
        commit(cached, update(Song).where(Song.title == "Mine 0").values(title="Retitled"))
        expected = "Retitled"
    elif change == "artist":
        commit(cached, update(User).where(User.id == cached.users.other_singer.id)
               .values(display_name="Renamed Singer"))
        expected = "Renamed Singer"
    elif change == "genre":
        commit(cached, update(Genre).values(name="Renamed Genre"))
        expected = "Renamed Genre"
    elif change == "delete":
        commit(cached, update(Song).where(Song.title == "Theirs").values(
            deleted_at=Song.created_at))
        expected = None
    else:
        with cached.session() as db:
            make_song(db, artist=cached.users.singer, genre=db.query(Genre).one(),
                      title="Brand New")
            db.commit()
        expected = "Brand New"
    page, statements = view(admin, cached)
    assert len(statements) >= 2  # the snapshot moved: read again
    if expected is None:
        assert "Theirs" not in titles(page) and len(titles(page)) == 3
    else:
        assert expected in page


def test_a_save_through_the_app_shows_on_the_next_view_with_its_message(cached):
    singer = cached.person(cached.users.singer)
    page, _ = hit(lambda: view(singer, cached))
    edit = re.search(r'href="(/songs/[0-9a-f-]+/edit)">Mine 1<', page).group(1)
    form = singer.get(edit).get_data(as_text=True)
    version = re.search(r'name="version_id"[^>]*value="(\d+)"', form).group(1)
    genre = re.search(r'<option[^>]*value="([0-9a-f-]+)"[^>]*selected', form).group(1)
    reply = singer.post(edit, {"version_id": version, "title": "Mine 1 (live)",
                               "genre": genre, "duration_seconds": "3:00",
                               "status": "draft", "lyrics": ""})
    assert reply.status == 302, reply.body[:500]
    page = singer.get(LIST).get_data(as_text=True)
    assert "Mine 1 (live)" in titles(page)
    assert "saved" in page.lower()  # the flash is rendered fresh, not cached


def test_people_never_share_an_entry(cached):
    singer, other = (cached.person(cached.users.singer),
                     cached.person(cached.users.other_singer))
    mine, _ = view(singer, cached)
    theirs, statements = view(other, cached)
    assert len(statements) >= 2  # not the singer's entry
    assert sorted(titles(mine)) == ["Mine 0", "Mine 1", "Mine 2"]
    assert titles(theirs) == ["Theirs"]


def test_a_second_browser_of_the_same_person_gets_its_own_csrf_token(cached):
    first, second = (cached.person(cached.users.superadmin),
                     cached.person(cached.users.superadmin))

    def first_then_second() -> tuple[str, list[str]]:
        view(first, cached)
        return view(second, cached)

    page, _ = hit(first_then_second)  # served from the first browser's entry
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    ids = re.findall(r'name="ids" value="([0-9a-f-]+)"', page)
    response = second.client.post("/songs/bulk", data={
        "csrf_token": token, "action": "delete", "ids": ids[:1]})
    assert response.status_code == 200  # the confirmation page: the token was this browser's
    chosen = titles(page)[0]
    assert chosen in response.get_data(as_text=True)


def test_entries_are_bounded_and_expire(cached, monkeypatch):
    cached.app.config["LIST_CACHE_SIZE"] = 2
    admin = cached.person(cached.users.superadmin)
    for sort in ("title", "-title", "duration_seconds"):
        view(admin, cached, f"{LIST}&sort={sort}")
    assert len(cached.app.extensions[listcache.EXTENSION_KEY]) == 2
    _, statements = view(admin, cached, f"{LIST}&sort=title")  # the oldest went first
    assert len(statements) == 2
    hit(lambda: view(admin, cached, f"{LIST}&sort=title"))
    clock = listcache.time.monotonic() + cached.app.config["LIST_CACHE_SECONDS"] + 1
    monkeypatch.setattr(listcache.time, "monotonic", lambda: clock)
    _, statements = view(admin, cached, f"{LIST}&sort=title")
    assert len(statements) == 2


def test_turned_off_every_view_reads_the_database(cached):
    cached.app.config["LIST_CACHE_SIZE"] = 0
    admin = cached.person(cached.users.superadmin)
    view(admin, cached)
    _, statements = view(admin, cached)
    assert len(statements) == 2
