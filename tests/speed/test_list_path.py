"""The songs list's lean path (issue 11): at most three statements a page including the signed-in
user (two with rows: the count rides with the page), filter choices cached per process but never
stale, every value escaped, scope kept, lean HTML."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import insert

from tests.admin.support import count_statements
from tests.factories import make_genre, make_song, make_user
from webadmin.admin import site
from webadmin.admin.filters import RelatedFilter
from webadmin.models import Song, SongStatus, UserRole


@pytest.fixture
def catalogue(db_session, users):
    genres = [make_genre(db_session, name=f"Speed Genre {n}", slug=f"speed-genre-{n}")
              for n in range(3)]
    others = [make_user(db_session, role=UserRole.singer) for _ in range(2)]
    rows = [{"title": f"Speed song {n:03d}", "genre_id": genres[n % 3].id,
             "artist_user_id": (users.singer, *others)[n % 3].id,
             "duration_seconds": 100 + n, "release_date": date(2024, 1, 1) if n % 4 else None,
             "isrc": None, "status": list(SongStatus)[n % 3], "lyrics": "la " * 2000}
            for n in range(150)]
    db_session.execute(insert(Song), rows)
    db_session.commit()
    return genres


QUERIES = ("", "q=speed", "status=published&is_explicit=no",
           "release_date_from=2023-01-01&sort=-release", "sort=title")


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("who", ["admin_browser", "singer_browser"])
def test_a_list_page_is_three_statements_including_the_user(request, app, catalogue, who,
                                                            query):
    browser = request.getfixturevalue(who)
    genre = catalogue[0]
    for extra in ("", f"&genre={genre.public_id}"):
        url = f"/songs/?per_page=50&{query}{extra}"
        browser.get(url)  # the first view of a process loads the filter choices once
        with count_statements(app) as statements:
            response = browser.get(url)
        assert response.status_code == 200
        assert len(statements) <= 3, [s[:80] for s in statements]
        assert any("user_account" in s and "session_token" in s for s in statements)


def test_a_cold_process_loads_the_choices_once(app, admin_browser, catalogue):
    app.extensions.pop("list_filter_choices", None)
    with count_statements(app) as statements:
        assert admin_browser.get("/songs/").status_code == 200
    related = [f for f in site.get("songs").list_filters if isinstance(f, RelatedFilter)]
    assert len(related) == 3  # artist, genre, album
    assert len(statements) <= 3 + len(related)  # + each related filter's choices, once


def genre_options(page: str) -> list[str]:
    select = re.search(r'<select id="f-genre".*?</select>', page, re.S)
    assert select, "the genre filter is a select on a small catalogue"
    return re.findall(r'<option value="[^"]+"[^>]*>([^<]*)</option>', select.group(0))


def test_cached_genre_choices_follow_every_change(admin_browser, db_session, catalogue):
    assert "Speed Genre 0" in genre_options(admin_browser.get("/songs/").get_data(as_text=True))
    added = make_genre(db_session, name="Brand New Genre", slug="brand-new-genre")
    db_session.commit()
    assert "Brand New Genre" in genre_options(admin_browser.get("/songs/").get_data(as_text=True))
    added.name = "Renamed Genre"
    db_session.commit()
    options = genre_options(admin_browser.get("/songs/").get_data(as_text=True))
    assert "Renamed Genre" in options and "Brand New Genre" not in options
    db_session.delete(added)  # a purge: the count goes down
    db_session.commit()
    options = genre_options(admin_browser.get("/songs/").get_data(as_text=True))
    assert "Renamed Genre" not in options
    catalogue[1].deleted_at = catalogue[1].created_at  # a soft delete
    db_session.commit()
    assert "Speed Genre 1" not in genre_options(
        admin_browser.get("/songs/").get_data(as_text=True))


def test_a_singer_sees_only_their_own_rows(singer_browser, admin_browser, users, catalogue):
    page = singer_browser.get("/songs/?per_page=100").get_data(as_text=True)
    titles = set(re.findall(r"Speed song \d{3}", page))
    assert titles == {f"Speed song {n:03d}" for n in range(0, 150, 3)}
    everyone = admin_browser.get("/songs/?per_page=100&sort=title").get_data(as_text=True)
    assert len(set(re.findall(r"Speed song \d{3}", everyone))) == 100


def test_soft_deleted_rows_stay_out(admin_browser, db_session, users):
    song = make_song(db_session, title="Gone song", artist=users.singer)
    song.deleted_at = song.created_at
    db_session.commit()
    assert "Gone song" not in admin_browser.get("/songs/").get_data(as_text=True)
    assert "Gone song" in admin_browser.get("/songs/?show=deleted").get_data(as_text=True)


def test_every_cell_is_escaped(admin_browser, db_session, users):
    evil_genre = make_genre(db_session, name='<img src=x onerror="a()">', slug="evil")
    make_song(db_session, title='<script>alert("t")</script>&', artist=users.singer,
              genre=evil_genre)
    db_session.commit()
    page = admin_browser.get("/songs/").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;&amp;" in page
    assert "&lt;img src=x onerror=" in page
    assert 'aria-label="Select &lt;script&gt;' in page


def test_a_fifty_row_page_is_lean(admin_browser, catalogue):
    response = admin_browser.get("/songs/?per_page=50")
    page = response.get_data(as_text=True)
    assert page.count("<tr>") == 51  # the header and 50 rows
    assert len(response.get_data()) <= 35_000
    assert "la la" not in page  # lyrics are neither shown nor loaded



@pytest.mark.parametrize("query", [q for q in QUERIES if not q.startswith("q=")])
def test_the_count_rides_with_the_page(app, admin_browser, catalogue, query):
    """The capped count, the estimate and the filter choices' versions are columns of the page
    query: a page with rows is two statements (the user, the page); a page without rows can't
    carry them and asks them on its own, still counting right."""
    url = f"/songs/?per_page=50&{query}"
    admin_browser.get(url)
    with count_statements(app) as statements:
        page = admin_browser.get(url).get_data(as_text=True)
    assert len(statements) == 2, [s[:80] for s in statements]
    assert re.search(r"\b\d[\d,]* songs\b", page)
    with count_statements(app) as statements:
        empty = admin_browser.get("/songs/?per_page=50&status=published&q=no-such-song")
    assert len(statements) == 3
    assert "0 songs" in empty.get_data(as_text=True)


@pytest.mark.postgres_only
def test_far_above_the_cap_the_estimate_is_shown_without_counting(app, admin_browser,
                                                                  catalogue, db_session,
                                                                  monkeypatch):
    """An unfiltered list whose live-rows index holds ten times the cap shows the planner's
    estimate of the live rows and does not count (the count's subquery is a CASE branch not
    taken); below that it counts, exactly."""
    from sqlalchemy import text

    from webadmin.admin import query

    assert re.search(r">\s*150 songs\s*<", admin_browser.get("/songs/").get_data(as_text=True))
    db_session.execute(text("ANALYZE song"))
    live = db_session.execute(text(
        "SELECT reltuples FROM pg_class WHERE oid = to_regclass(:name)"),
        {"name": query.live_rows_index(db_session, "song")}).scalar()
    assert live > 0
    monkeypatch.setattr(query, "NO_COUNT_ABOVE", 10)  # 150 live songs: "far above"
    page = admin_browser.get("/songs/").get_data(as_text=True)
    assert f"about {int(live):,} songs" in page
    filtered = admin_browser.get("/songs/?status=published").get_data(as_text=True)
    assert "about" not in filtered  # a filtered list is counted
