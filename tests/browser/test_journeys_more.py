"""More journeys in chromium: a deletion found and undone in the audit view, a bulk publish of
every matching song, a cover uploaded on a song's edit page, and the albums, subscriptions and
audit page types at desktop and phone width. Same listeners as every journey (console errors,
CSP violations, failed assets, 5xx fail the test) and axe-core on every page type."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.support import ADMIN, SINGER
from tests.browser.test_page_types import WIDTHS, assert_page_structure, public_id
from webadmin.db import get_db

pytestmark = pytest.mark.browser


def in_app(live_server, work):
    """Run ``work(session)`` against the live server's database and commit."""
    with live_server.app.app_context():
        session = get_db(live_server.app).session()
        try:
            result = work(session)
            session.commit()
            return result
        finally:
            get_db(live_server.app).session.remove()


def test_audit_journey_delete_find_restore_and_read_history(open_page):
    journey = open_page()
    page = journey.page
    journey.sign_in(ADMIN)
    journey.goto("/genres/new")
    page.get_by_label("Name").fill("Audit Blues")
    journey.save("Save and continue editing")
    page.get_by_role("link", name="Delete", exact=True).click()
    journey.save("Yes, delete")
    expect(page.get_by_role("status")).to_contain_text("Deleted genre “Audit Blues”")

    # It waits in the audit view, among every section's deleted rows; restore it from there.
    journey.goto("/audit/")
    journey.check("audit: deleted rows")
    row = page.get_by_role("row", name=re.compile("Audit Blues"))
    row.get_by_role("button", name="Restore", exact=True).click()
    page.wait_for_load_state()
    journey.check("audit: restore confirmation")
    journey.save("Yes, restore")
    expect(page.get_by_role("status")).to_contain_text("Restored 1 of 1")

    # Its history tells the whole story, newest first.
    journey.goto("/genres/?q=Audit+Blues")
    page.get_by_role("link", name="Audit Blues").click()
    page.get_by_role("link", name="History", exact=True).click()
    journey.check("history after a restore")
    history = page.locator("ol.history").inner_text()
    assert history.index("Restored") < history.index("Deleted") < history.index("Created")

    # The change log, filtered to the genres section, shows the same three entries.
    journey.goto("/audit/log")
    journey.check("audit: change log")
    page.get_by_label("Section", exact=True).select_option("genres")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"section=genres"))
    journey.check("audit: change log filtered")
    log = page.locator("main").inner_text()
    assert log.count("Audit Blues") >= 3, log


def test_bulk_journey_select_all_matching_publish_confirm(open_page, live_server):
    from webadmin.models import Genre, Song, User

    def add_drafts(session):
        singer = session.scalars(select(User).where(User.email == SINGER)).one()
        genre = session.scalars(select(Genre).order_by(Genre.id)).first()
        for n in range(12):
            session.add(Song(title=f"Bulk Tune {n:02d}", artist_user_id=singer.id,
                             genre_id=genre.id, duration_seconds=180))

    in_app(live_server, add_drafts)
    journey = open_page()
    page = journey.page
    journey.sign_in(ADMIN)
    journey.goto("/songs/?q=Bulk+Tune&per_page=10")
    journey.check("songs list with the bulk bar")
    counter = page.locator("[data-bulk-count]")
    expect(counter).to_have_text("0 of 10 selected")

    # "Go" with nothing chosen says what is missing, on the page, and sends nothing.
    url = page.url
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Choose an action and tick the rows it applies to first.")
    assert page.url == url
    assert journey.focused()["id"] == "bulk-action"

    page.get_by_role("checkbox", name="Select Bulk Tune 11").check()
    expect(counter).to_have_text("1 of 10 selected")
    page.get_by_label("Select all 12 matching").check()
    expect(counter).to_have_text("All 12 matching selected")
    page.get_by_label("With selected").select_option("publish")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish all 12 matching songs?")
    journey.check("bulk publish confirmation")
    journey.save("Yes, publish")
    expect(page.get_by_role("status")).to_contain_text("Published 12 songs.")
    assert page.url.endswith("/songs/?q=Bulk+Tune&per_page=10")  # back to the same list

    statuses = in_app(live_server, lambda s: set(s.scalars(
        select(Song.status).where(Song.title.like("Bulk Tune %")))))
    assert {status.value for status in statuses} == {"published"}


def test_bulk_bar_on_a_phone(open_page):
    journey = open_page(390, 844)
    journey.sign_in(ADMIN)
    journey.goto("/songs/?per_page=10")
    journey.check("songs list with the bulk bar")
    bar = journey.page.locator("[data-bulk-bar]")
    expect(bar).to_be_in_viewport()  # sticky: in reach while the rows scroll by
    journey.no_horizontal_scroll()


def cover_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (67, 56, 202)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_media_journey_upload_a_cover_on_the_song_edit_page(open_page, live_server):
    journey = open_page()
    page = journey.page
    journey.sign_in(SINGER)
    journey.goto("/songs/?q=Paper+Boats")
    page.get_by_role("link", name="Paper Boats").click()
    journey.check("song edit with media")
    card = page.get_by_role("region", name="Cover art")
    card.get_by_label("Upload cover art").set_input_files(files=[{
        "name": "cover.png", "mimeType": "image/png", "buffer": cover_png()}])
    with page.expect_navigation():
        card.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("cover.png")
    expect(page.get_by_role("img", name=re.compile("Cover art of Paper Boats"))).to_be_visible()
    journey.check("song edit with a cover")


def more_pages(live_server) -> list[tuple[str, str]]:
    from webadmin.models import Album, User

    def an_album(session):
        album = session.scalars(select(Album).where(Album.title == "Page Type LP")).first()
        if album is None:
            singer = session.scalars(select(User).where(User.email == SINGER)).one()
            album = Album(title="Page Type LP", artist_user_id=singer.id)
            session.add(album)
            session.flush()
        return str(album.public_id)

    album = in_app(live_server, an_album)
    subscription = public_id(live_server, "UserSubscription")
    return [("albums list", "/albums/"), ("albums add", "/albums/new"),
            ("albums edit", f"/albums/{album}/edit"),
            ("subscriptions list", "/subscriptions/"), ("subscriptions add", "/subscriptions/new"),
            ("subscriptions edit", f"/subscriptions/{subscription}/edit"),
            ("audit: deleted rows", "/audit/"), ("audit: change log", "/audit/log"),
            ("songs sorted by artist", "/songs/?sort=artist"),
            ("songs searched by artist", "/songs/?q=Sia")]


@pytest.mark.parametrize("width,height", WIDTHS)
def test_albums_subscriptions_and_audit_pages_pass_axe(open_page, live_server, width, height):
    journey = open_page(width, height)
    journey.sign_in(ADMIN)
    for page_type, path in more_pages(live_server):
        journey.goto(path)
        journey.check(page_type)
        assert_page_structure(journey)
