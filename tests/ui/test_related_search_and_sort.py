"""Lists reach across related rows like Django's: ``?q=Nina`` finds Nina's songs (the artist's
name is a declared search field) and songs sort by artist or genre name with keyset paging that
walks every row once, forward and back, on both databases."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from tests.admin.support import public_ids
from tests.factories import make_genre, make_song, make_user
from webadmin.admin.options import DefinitionError, ModelAdmin
from webadmin.admin.query import encode_cursor
from webadmin.models import Song, UserRole


def titles(html: str) -> list[str]:
    return [unescape(t) for t in re.findall(r'<td><a href="/songs/[^"]+/edit">([^<]*)</a>',
                                            html)]


def link(html: str, rel: str) -> str | None:
    found = re.search(rf'href="([^"]+)" rel="{rel}"', html)
    return unescape(found.group(1)) if found else None


def test_searching_songs_by_an_artists_name_finds_their_songs(admin_browser, db_session):
    nina = make_user(db_session, display_name="Nina Simone-ish", role=UserRole.singer)
    other = make_user(db_session, display_name="Otis", role=UserRole.singer)
    make_song(db_session, artist=nina, title="Feeling Good")
    make_song(db_session, artist=nina, title="Sinnerman")
    make_song(db_session, artist=other, title="Nina's Song")  # found by its title
    make_song(db_session, artist=other, title="Dock of the Bay")
    db_session.commit()
    page = admin_browser.get("/songs/?q=nina").get_data(as_text=True)
    assert sorted(titles(page)) == ["Feeling Good", "Nina's Song", "Sinnerman"]
    assert "3 songs match these filters" in page
    # Wildcards in the term are text, not patterns.
    assert titles(admin_browser.get("/songs/?q=n%25a").get_data(as_text=True)) == []


def test_a_singer_searching_by_name_still_sees_only_their_songs(singer_browser, users,
                                                                db_session):
    make_song(db_session, artist=users.singer, title="Mine")
    make_song(db_session, artist=users.other_singer, title="Theirs")
    db_session.commit()
    name = users.other_singer.display_name
    assert titles(singer_browser.get(f"/songs/?q={name}").get_data(as_text=True)) == []


@pytest.fixture
def catalogue(db_session):
    """Three artists, two sharing a name (ties broken by the artist's id), 23 songs."""
    genres = [make_genre(db_session, name=name) for name in ("Zydeco", "Ambient")]
    artists = [make_user(db_session, display_name=name, role=UserRole.singer)
               for name in ("Bea", "Ann", "Bea")]
    for n in range(23):
        make_song(db_session, artist=artists[n % 3], genre=genres[n % 2], title=f"Track {n:02d}")
    db_session.commit()
    return artists


@pytest.mark.parametrize("sort,key", [
    ("artist", lambda s: (s.artist.display_name, s.artist.id, s.id)),
    ("-artist", lambda s: (s.artist.display_name, s.artist.id, s.id)),
    ("genre", lambda s: (s.genre.name, s.genre.id, s.id)),
])
def test_sorting_by_a_related_column_pages_forward_and_back(admin_browser, db_session,
                                                            catalogue, sort, key):
    songs = db_session.scalars(select(Song)).all()
    expected = [s.title for s in sorted(songs, key=key, reverse=sort.startswith("-"))]
    url, forward, pages = f"/songs/?per_page=10&sort={sort}", [], []
    while url:
        page = admin_browser.get(url).get_data(as_text=True)
        pages.append(titles(page))
        forward += pages[-1]
        last, url = page, link(page, "next")
    assert forward == expected and [len(p) for p in pages] == [10, 10, 3]
    assert 'aria-sort="' in last
    backward, url = [], link(last, "prev")
    while url:
        page = admin_browser.get(url).get_data(as_text=True)
        backward = titles(page) + backward
        url = link(page, "prev")
    assert backward == expected[:20]


def test_a_forged_related_cursor_is_ignored(admin_browser, catalogue):
    for token in (encode_cursor("artist", 12, 1), encode_cursor("artist", None, 1),
                  encode_cursor("title", "Bea", 1), "garbage"):
        response = admin_browser.get(f"/songs/?sort=artist&after={token}")
        assert response.status_code == 200
    page = admin_browser.get("/songs/?sort=artist&after=" + encode_cursor("artist", "Bea", 0))
    assert page.status_code == 200 and len(public_ids(page.get_data(as_text=True),
                                                      "songs")) > 0


def test_related_sort_and_search_are_checked_when_a_section_is_defined():
    with pytest.raises(DefinitionError) as raised:
        class Broken(ModelAdmin):
            model = Song
            name = "broken"
            sortable = {"created": "created_at", "album": "album.title",
                        "nope": "artist.no_such_column", "pw": "artist.password_hash"}
            search_fields = ("genre.nope", "title.x")
    problems = "\n".join(raised.value.problems)
    assert "'album.title' may be NULL" in problems
    assert "User has no column 'no_such_column'" in problems
    assert "'artist.password_hash' may not be exposed" in problems
    assert "Genre has no column 'nope'" in problems
    assert "'title' is not a many-to-one relationship" in problems


def test_related_sort_keeps_the_filters_and_a_singers_scope(admin_browser, singer_browser,
                                                            users, db_session, catalogue):
    for n in range(12):
        make_song(db_session, artist=users.singer, title=f"Own {n:02d}")
    db_session.commit()
    own, url = [], "/songs/?per_page=10&sort=-artist"
    while url:
        page = singer_browser.get(url).get_data(as_text=True)
        own += titles(page)
        url = link(page, "next")
    assert own == [f"Own {n:02d}" for n in reversed(range(12))]
    page = admin_browser.get("/songs/?sort=artist&q=track+1").get_data(as_text=True)
    matching = db_session.scalars(select(Song).where(Song.title.like("Track 1%"))).all()
    assert titles(page) == [s.title for s in sorted(
        matching, key=lambda s: (s.artist.display_name, s.artist.id, s.id))]
