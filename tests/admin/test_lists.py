"""The generic list: constant statement count, keyset paging both ways, bad parameters, counts."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import insert, select

from tests.admin.support import count_statements, public_ids
from tests.factories import make_genre, make_user
from webadmin.models import Song, SongStatus, UserRole


def add_songs(session, count, artists, genres, **fields):
    """Bulk rows with ties in title and NULL release dates, so paging has edge cases."""
    rows = []
    for n in range(count):
        rows.append({
            "title": f"Track {n % 7:02d}", "artist_user_id": artists[n % len(artists)].id,
            "genre_id": genres[n % len(genres)].id, "duration_seconds": 60 + n % 50,
            "release_date": None if n % 5 == 0 else date(2024, 1, 1) + timedelta(days=n % 40),
            "status": list(SongStatus)[n % 3], "lyrics": "", **fields,
        })
    # Titles must be unique per artist: suffix a counter where needed.
    for n, row in enumerate(rows):
        row["title"] = f"{row['title']} #{n}"
    session.execute(insert(Song), rows)
    session.commit()


@pytest.fixture
def small_catalogue(db_session, users):
    genres = [make_genre(db_session) for _ in range(2)]
    add_songs(db_session, 12, [users.singer, users.other_singer], genres)


@pytest.fixture
def catalogue(db_session, users):
    artists = [users.singer, users.other_singer,
               *(make_user(db_session, role=UserRole.singer) for _ in range(3))]
    genres = [make_genre(db_session) for _ in range(4)]
    add_songs(db_session, 130, artists, genres)
    return artists, genres


def test_statement_count_does_not_grow_with_rows(app, admin_browser, catalogue):
    """Must-show 3: 10 and 100 rows per page issue the same, small number of statements
    (list queries run with raiseload('*') under TESTING, so a lazy load would fail)."""
    counts = {}
    for per_page in (10, 100):
        admin_browser.get(f"/songs/?per_page={per_page}")  # warm caches alike
        with count_statements(app) as statements:
            response = admin_browser.get(f"/songs/?per_page={per_page}")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert len(public_ids(page, "songs")) == per_page
        counts[per_page] = len(statements)
    assert counts[10] == counts[100], counts
    # user loader, count, page (songs + artist + genre joined), genre and artist filter choices
    assert counts[10] <= 6, counts


def test_statement_count_for_singer_and_filters_is_constant(app, singer_browser, catalogue):
    _artists, genres = catalogue
    query = f"genre={genres[0].public_id}&status=draft&status=published&q=track"
    counts = []
    for per_page in (10, 100):
        singer_browser.get(f"/songs/?per_page={per_page}&{query}")  # warm caches alike
        with count_statements(app) as statements:
            assert singer_browser.get(f"/songs/?per_page={per_page}&{query}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 6, counts


@pytest.mark.parametrize("sort", ["-created", "created", "title", "-title", "release",
                                  "-release", "duration", "-duration"])
def test_keyset_pages_cover_every_row_once_both_ways(admin_browser, db_session, catalogue,
                                                    sort):
    expected = db_session.scalars(select(Song.public_id).where(Song.deleted_at.is_(None))).all()
    seen: list[str] = []
    pages: list[list[str]] = []
    url = f"/songs/?sort={sort}&per_page=25"
    while url:
        assert len(pages) < 20, "paging does not advance"
        page = admin_browser.get(url).get_data(as_text=True)
        ids = public_ids(page, "songs")
        pages.append(ids)
        seen.extend(ids)
        match = re.search(r'href="([^"]+)" rel="next"', page)
        url = match.group(1).replace("&amp;", "&") if match else None
    assert sorted(seen) == sorted(str(pid) for pid in expected)
    assert len(seen) == len(set(seen))
    assert len(pages) == 6  # 130 rows / 25

    # Walk back from the last page with the "Previous" links: the same pages, reversed.
    page = admin_browser.get(_last_url(admin_browser, sort)).get_data(as_text=True)
    back = [public_ids(page, "songs")]
    while (match := re.search(r'href="([^"]+)" rel="prev"', page)):
        assert len(back) < 20, "paging back does not advance"
        page = admin_browser.get(match.group(1).replace("&amp;", "&")).get_data(as_text=True)
        back.append(public_ids(page, "songs"))
    assert list(reversed(back)) == pages


def _last_url(browser, sort):
    url = f"/songs/?sort={sort}&per_page=25"
    for _ in range(20):
        page = browser.get(url).get_data(as_text=True)
        match = re.search(r'href="([^"]+)" rel="next"', page)
        if not match:
            return url
        url = match.group(1).replace("&amp;", "&")
    raise AssertionError("paging does not advance")


def test_sorting_orders_rows(admin_browser, db_session, catalogue):
    page = admin_browser.get("/songs/?sort=duration&per_page=100").get_data(as_text=True)
    ids = public_ids(page, "songs")
    by_id = {str(s.public_id): s for s in db_session.scalars(select(Song))}
    durations = [by_id[i].duration_seconds for i in ids]
    assert durations == sorted(durations)
    assert 'aria-sort="ascending"' in page


BAD_PARAMS = [
    "sort=password_hash", "sort=-nonsense", "sort=", "sort=--title", "page=-1", "page=abc",
    "page=99999999999999999999", "per_page=100000", "per_page=-5", "per_page=abc",
    "per_page=0", "status=bogus", "status=draft&status=bogus", "is_explicit=maybe",
    "genre=not-a-uuid", "genre=00000000-0000-0000-0000-000000000000", "artist=%00",
    "release_date_from=2024-99-99", "release_date_to=yesterday",
    "release_date_from=2025-01-01&release_date_to=2024-01-01", "q=%00%25_%5C",
    "q=" + "x" * 5000, "after=garbage", "before=!!!", "after=WyJ4Il0",
    "after=WyItY3JlYXRlZCIsIm5vdCBhIGRhdGUiLDFd",  # ["-created","not a date",1]
    "after=WyItY3JlYXRlZCIsbnVsbCwxXQ",  # ["-created",null,1]
    "after=WyItY3JlYXRlZCIsIjIwMjQtMDEtMDFUMDA6MDA6MDArMDA6MDAiLDFlOTld",  # id 1e99
    "show=deleted&sort=bogus", "show=%00",
]


@pytest.mark.parametrize("query", BAD_PARAMS)
def test_bad_list_params_never_500(admin_browser, singer_browser, small_catalogue, query):
    """Must-show 4: a normal page (bad values ignored or clamped) or a 4xx, never a 500."""
    for browser in (admin_browser, singer_browser):
        for path in ("/songs/", "/genres/", "/songs/export.csv"):
            response = browser.get(f"{path}?{query}")
            assert response.status_code < 500, (path, query)
            if response.status_code == 200 and path == "/songs/":
                assert "Songs" in response.get_data(as_text=True)


def test_per_page_is_capped(admin_browser, catalogue):
    page = admin_browser.get("/songs/?per_page=100000").get_data(as_text=True)
    assert len(public_ids(page, "songs")) == 100


@pytest.mark.parametrize(("path", "status", "title"), [
    ("/songs/lookup/nope?q=x", 404, "Page not found"),
    ("/songs/not-a-uuid/history", 404, "Page not found"),
    ("/songs/%00/edit", 404, "Page not found"),
    ("/songs/00000000-0000-0000-0000-000000000000/history", 404, "Page not found"),
    ("/songs/00000000-0000-0000-0000-000000000000/delete", 404, "Page not found"),
    ("/songs/not-a-uuid/delete", 404, "Page not found"),
    ("/no-such-section/", 404, "Page not found"),
    ("/songs/bulk", 405, "Method not allowed"),
])
def test_bad_paths_are_4xx(admin_browser, path, status, title):
    """The exact refusal, as a page in the layout. (NUL in a query string is the request
    guard's 400, tested with the fuzz suite.)"""
    response = admin_browser.get(path)
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert f"<title>{title} · webadmin</title>" in page
    assert 'href="/songs/"' in page  # the layout's navigation: a finished page, not a bare one


def test_search_escapes_wildcards(admin_browser, db_session, users):
    genre = make_genre(db_session)
    add_songs(db_session, 3, [users.singer], [genre])
    page = admin_browser.get("/songs/?q=%25").get_data(as_text=True)
    assert "No songs match these filters" in page
    page = admin_browser.get("/songs/?q=track").get_data(as_text=True)
    assert len(public_ids(page, "songs")) == 3


def test_count_is_capped(admin_browser, monkeypatch, catalogue):
    import webadmin.admin.views as views

    columns, read = views.count_columns, views.read_count
    monkeypatch.setattr(views, "count_columns", lambda session, stmt, **kwargs: columns(
        session, stmt, **{**kwargs, "cap": 100, "estimate_table": None}))
    monkeypatch.setattr(views, "read_count", lambda values: read(values, 100))
    page = admin_browser.get("/songs/").get_data(as_text=True)
    assert "100+ songs" in page


def test_lookup_returns_matching_rows_as_json(singer_browser, db_session):
    make_genre(db_session, name="Bossa Nova", slug="bossa-nova")
    make_genre(db_session, name="Nova Wave", slug="nova-wave")
    db_session.commit()
    data = singer_browser.get("/songs/lookup/genre?q=nova").get_json()
    assert [row["label"] for row in data["results"]] == ["Bossa Nova", "Nova Wave"]
    assert data["results"][0]["value"] == "Bossa Nova"
    assert singer_browser.get("/songs/lookup/genre?q=%25").get_json() == {"results": []}


def _walk(session, admin, user, args, few_matches):
    """Every page of a list forward through "next", then back through "previous": each page's
    row ids and cursors."""
    from werkzeug.datastructures import MultiDict

    from webadmin.admin.query import fetch_page, parse_list_params

    def page_for(extra):
        params = parse_list_params(admin, MultiDict({**args, **extra}), user)
        page = fetch_page(session, admin, user, params, columns=admin.get_list_display(user),
                          few_matches=few_matches)
        return [row.id for row in page.rows], page.next_cursor, page.prev_cursor

    forward = [page_for({})]
    while forward[-1][1]:
        assert len(forward) < 30, "paging does not advance"
        forward.append(page_for({"after": forward[-1][1]}))
    back = [forward[-1]]
    while back[-1][2]:
        assert len(back) < 30, "paging back does not advance"
        back.append(page_for({"before": back[-1][2]}))
    return forward, back


def test_a_search_paged_from_its_matches_gives_the_same_pages(app, db_session, users,
                                                              catalogue):
    """``few_matches`` (a search the count found under its cap: on PostgreSQL the page is read
    from the matches instead of walking the sort index) changes nothing a user sees: the same
    rows, order and cursors, forward and back, for every sort (related ones, NULL release
    dates, tied creation times), a singer's own list, the trash, a search with a filter."""
    from webadmin.admin import site

    artists, _genres = catalogue
    admin = site.get("songs")
    songs = db_session.scalars(select(Song).order_by(Song.id)).all()
    for song in songs[::11]:
        song.deleted_at = song.created_at  # in the trash: out of the live list, into "deleted"
    db_session.commit()
    searches = [{"q": "track"}, {"q": "#1"}, {"q": "Track 03"}, {"q": artists[3].display_name},
                {"q": "Sia"}, {"q": "#1", "status": "draft"}, {"q": "#1", "show": "deleted"},
                {"q": "no such song"}]
    sorts = [key for key in admin.sortable] + [f"-{key}" for key in admin.sortable]
    assert {"artist", "-genre", "release", "-release", "-created"} <= set(sorts)
    compared = 0
    for user in (users.superadmin, users.singer):
        for search in searches:
            for sort in sorts:
                args = {**search, "sort": sort, "per_page": "10"}
                walked = _walk(db_session, admin, user, args, few_matches=False)
                assert _walk(db_session, admin, user, args, few_matches=True) == walked, args
                forward, back = walked
                ids = [i for page, _next, _prev in forward for i in page]
                assert len(ids) == len(set(ids))
                assert [i for page, _n, _p in reversed(back) for i in page] == ids
                compared += len(forward) > 2
    assert compared > 50  # most walks span several pages
