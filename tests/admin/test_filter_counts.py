"""Filter counts on lists (issue 12): "Show counts" makes every option of a choice, yes/no and
bounded related filter say how many rows of the list as it is it would give, capped, in one
more statement; off by default (the list keeps its statement count)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.admin.support import count_statements
from tests.factories import make_album, make_genre, make_song
from webadmin.admin import query, site
from webadmin.models import SongStatus, UserRole

OPTION = re.compile(r'<option value="([^"]+)"[^>]*>([^<]*)</option>')
CHECKBOX = re.compile(
    r'<input type="checkbox" name="(\w+)" value="([^"]*)"[^>]*> <span>([^<]*)</span>')
SELECT = re.compile(r'<select id="f-(\w+)" name="\w+"[^>]*>(.*?)</select>', re.S)


def options(page: str) -> dict[str, dict[str, str]]:
    """Filter param → option value → the option's text as a user reads it."""
    found: dict[str, dict[str, str]] = {}
    filters = page.split('<details class="more-filters"', 1)[1].split("</details>", 1)[0]
    for param, body in SELECT.findall(filters):
        found[param] = {value: unescape(text) for value, text in OPTION.findall(body)}
    for param, value, text in CHECKBOX.findall(filters):
        found.setdefault(param, {})[value] = unescape(text)
    return found


def counts(page: str) -> dict[str, dict[str, str]]:
    """Filter param → option value → the count its text ends with ("3", "2+"); options
    without a count are left out."""
    found: dict[str, dict[str, str]] = {}
    for param, by_value in options(page).items():
        for value, text in by_value.items():
            match = re.search(r" \(([\d,]+\+?)\)$", text)
            if match:
                found.setdefault(param, {})[value] = match.group(1)
    return found


def get(browser, url: str) -> str:
    response = browser.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


@pytest.fixture
def songs(db_session, users):
    """Five live songs and a deleted one:

    ====================  ======  =====  =========  ========  =====
    title                 artist  genre  status     explicit  album
    ====================  ======  =====  =========  ========  =====
    Alpha rock            singer  rock   published  yes       first
    Beta rock             singer  rock   draft      no        first
    Gamma                 singer  jazz   published  no
    Delta rock            other   rock   published  yes
    Epsilon               other   jazz   archived   no
    Gone rock (deleted)   singer  rock   published  no
    ====================  ======  =====  =========  ========  =====
    """
    rock = make_genre(db_session, name="Rock <&> Roll", slug="rock-n-roll")
    jazz = make_genre(db_session, name="Jazz", slug="jazz")
    first = make_album(db_session, title="First", artist=users.singer)
    rows = [("Alpha rock", users.singer, rock, SongStatus.published, True, first),
            ("Beta rock", users.singer, rock, SongStatus.draft, False, first),
            ("Gamma", users.singer, jazz, SongStatus.published, False, None),
            ("Delta rock", users.other_singer, rock, SongStatus.published, True, None),
            ("Epsilon", users.other_singer, jazz, SongStatus.archived, False, None),
            ("Gone rock", users.singer, rock, SongStatus.published, False, None)]
    made = {}
    for title, artist, genre, status, explicit, album in rows:
        made[title] = make_song(db_session, title=title, artist=artist, genre=genre,
                                status=status, is_explicit=explicit, album=album)
    db_session.flush()
    made["Gone rock"].deleted_at = made["Gone rock"].created_at
    db_session.commit()
    return {"rock": str(rock.public_id), "jazz": str(jazz.public_id),
            "first": str(first.public_id), "singer": str(users.singer.public_id),
            "other": str(users.other_singer.public_id)}


def test_counts_are_off_by_default_and_each_option_says_its_count_when_on(admin_browser,
                                                                          songs):
    assert counts(get(admin_browser, "/songs/")) == {}
    found = counts(get(admin_browser, "/songs/?facets=1"))
    assert found["status"] == {"draft": "1", "published": "3", "archived": "1"}
    assert found["is_explicit"] == {"yes": "2", "no": "3"}
    assert found["genre"] == {songs["rock"]: "3", songs["jazz"]: "2"}
    assert found["album"] == {songs["first"]: "2"}
    assert found["artist"][songs["singer"]] == "3"
    assert found["artist"][songs["other"]] == "2"
    assert "release_date" not in found  # a date range has no options to count


def test_a_filters_own_choice_does_not_zero_its_siblings(admin_browser, songs):
    found = counts(get(admin_browser, "/songs/?facets=1&status=published"))
    assert found["status"] == {"draft": "1", "published": "3", "archived": "1"}
    # every other filter counts within the published songs
    assert found["genre"] == {songs["rock"]: "2", songs["jazz"]: "1"}
    assert found["is_explicit"] == {"yes": "2", "no": "1"}
    found = counts(get(admin_browser, f"/songs/?facets=1&genre={songs['rock']}&genre="
                                      f"{songs['jazz']}&status=draft&status=archived"))
    assert found["genre"] == {songs["rock"]: "1", songs["jazz"]: "1"}
    assert found["status"] == {"draft": "1", "published": "3", "archived": "1"}


def test_counts_follow_the_search_and_the_other_filters(admin_browser, songs):
    page = get(admin_browser, f"/songs/?facets=1&q=rock&genre={songs['rock']}&is_explicit=no")
    found = counts(page)
    assert found["status"] == {"draft": "1", "published": "0", "archived": "0"}  # Beta rock
    assert found["is_explicit"] == {"yes": "2", "no": "1"}  # rock songs with "rock" in them
    assert found["genre"] == {songs["rock"]: "1", songs["jazz"]: "0"}  # not explicit, "rock"
    assert found["album"] == {songs["first"]: "1"}
    # a genre typed by name selects its option, and still counts like the option
    found = counts(get(admin_browser, "/songs/?facets=1&genre=jazz"))
    assert found["status"] == {"draft": "0", "published": "1", "archived": "1"}
    assert found["genre"] == {songs["rock"]: "3", songs["jazz"]: "2"}


def test_a_singer_counts_their_own_songs_only(singer_browser, other_singer_browser, songs):
    found = counts(get(singer_browser, "/songs/?facets=1"))
    assert found["status"] == {"draft": "1", "published": "2", "archived": "0"}
    assert found["genre"] == {songs["rock"]: "2", songs["jazz"]: "1"}
    assert "artist" not in found  # the owner's filter is not the singer's
    found = counts(get(other_singer_browser, "/songs/?facets=1"))
    assert found["status"] == {"draft": "0", "published": "1", "archived": "1"}
    assert "album" not in found  # another singer's album is not among their options


def test_deleted_rows_count_only_in_the_deleted_view(admin_browser, songs):
    live = counts(get(admin_browser, "/songs/?facets=1&q=gone"))
    assert live["status"] == {"draft": "0", "published": "0", "archived": "0"}
    deleted = counts(get(admin_browser, "/songs/?facets=1&show=deleted"))
    assert deleted["status"] == {"draft": "0", "published": "1", "archived": "0"}
    assert deleted["genre"] == {songs["rock"]: "1", songs["jazz"]: "0"}


def test_a_count_above_the_cap_reads_cap_plus(admin_browser, songs, monkeypatch):
    monkeypatch.setattr(query, "FACET_CAP", 2)
    found = counts(get(admin_browser, "/songs/?facets=1"))
    assert found["status"] == {"draft": "1", "published": "2+", "archived": "1"}
    assert found["genre"] == {songs["rock"]: "2+", songs["jazz"]: "2"}
    assert found["is_explicit"] == {"yes": "2", "no": "2+"}


def test_labels_stay_escaped_and_unchanged_with_the_count(admin_browser, songs):
    page = get(admin_browser, "/songs/?facets=1")
    assert "Rock &lt;&amp;&gt; Roll (3)</option>" in page
    assert options(page)["genre"][songs["rock"]] == "Rock <&> Roll (3)"
    assert options(get(admin_browser, "/songs/"))["genre"][songs["rock"]] == "Rock <&> Roll"
    assert "<span>Published (3)</span>" in page  # the checkbox's label text carries it


@pytest.mark.parametrize("who", ["admin_browser", "singer_browser"])
def test_counts_cost_one_more_statement(request, app, songs, who):
    browser = request.getfixturevalue(who)
    for query_string in ("", f"&q=rock&status=published&genre={songs['rock']}"):
        made = []
        for facets in ("", "&facets=1"):
            url = f"/songs/?per_page=10{query_string}{facets}"
            browser.get(url)  # the first view of a process loads the filter choices once
            with count_statements(app) as statements:
                assert browser.get(url).status_code == 200
            made.append(statements)
        without, with_counts = made
        assert len(without) <= 3, [s[:80] for s in without]
        assert len(with_counts) == len(without) + 1, [s[:80] for s in with_counts]


def test_the_toggle_and_the_form_keep_the_state(admin_browser, songs):
    page = get(admin_browser, "/songs/?q=rock&status=published&per_page=10")
    show = re.search(r'<a href="([^"]+)">Show counts</a>', page)
    assert show and "Hide counts" not in page
    assert unescape(show.group(1)) == "/songs/?q=rock&status=published&per_page=10&facets=1"
    assert 'name="facets"' not in page
    page = get(admin_browser, unescape(show.group(1)))
    assert counts(page)["status"]["published"] == "2"
    hide = re.search(r'<a href="([^"]+)">Hide counts</a>', page)
    assert hide and unescape(hide.group(1)) == "/songs/?q=rock&status=published&per_page=10"
    assert '<input type="hidden" name="facets" value="1">' in page  # Apply keeps counts on
    assert '<details class="more-filters" open>' in page
    clear = re.search(r'<a class="button" href="([^"]+)">Clear filters</a>', page)
    assert clear and unescape(clear.group(1)) == "/songs/?per_page=10&facets=1"


def test_the_next_page_keeps_counts_on(admin_browser, db_session, users):
    for n in range(12):
        make_song(db_session, title=f"Paged {n}", artist=users.singer,
                  status=SongStatus.archived)
    db_session.commit()
    page = get(admin_browser, "/songs/?facets=1&per_page=10")
    following = re.search(r'<a class="button button-small" href="([^"]+)" rel="next">', page)
    assert following and "facets=1" in unescape(following.group(1))
    page = get(admin_browser, unescape(following.group(1)))
    assert counts(page)["status"]["archived"] == "12"
    assert "Hide counts" in page


@pytest.mark.parametrize("value", ["0", "yes", "true", "1x", "", "%201", "1" * 300])
def test_a_garbage_facets_value_is_off(app, admin_browser, songs, value):
    admin_browser.get("/songs/")
    with count_statements(app) as plain:
        admin_browser.get("/songs/")
    url = f"/songs/?facets={value}"
    admin_browser.get(url)
    with count_statements(app) as statements:
        page = get(admin_browser, url)
    assert len(statements) == len(plain)
    assert counts(page) == {} and "Show counts" in page
    assert 'name="facets"' not in page


def test_every_section_list_answers_with_counts_on(app, admin_browser, songs):
    for admin in site.admins_for(UserRole.superadmin):
        url = f"/{admin.name}/?facets=1"
        admin_browser.get(url)
        with count_statements(app) as statements:
            response = admin_browser.get(url)
        assert response.status_code == 200, url
        assert len(statements) <= 4, (url, [s[:80] for s in statements])
