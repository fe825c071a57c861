"""Whole journeys in chromium, as people do them: a superadmin's day, a singer's song, two people
editing one song, a keyboard-only create, a phone. Every page visited is checked by axe-core;
every journey fails on a console error, a CSP violation, a failed asset or a 5xx (conftest)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.support import ADMIN, SINGER
from tests.browser.test_page_types import public_id

pytestmark = pytest.mark.browser


def test_superadmin_journey(open_page, live_server):
    journey = open_page()
    page = journey.page

    # A wrong password: the message is announced and the focus waits in Password.
    journey.goto("/login")
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_label("Password").fill("not the password")
    journey.save("Sign in")
    expect(page.get_by_role("alert")).to_contain_text("incorrect")
    assert journey.focused()["id"] == "password"
    journey.sign_in(ADMIN)
    journey.check("dashboard")

    # A genre, a singer, a plan.
    journey.goto("/genres/new")
    page.get_by_label("Name").fill("Journey Jazz")
    journey.save()
    expect(page.get_by_role("status")).to_have_text("Added genre “Journey Jazz”.")

    journey.goto("/users/new")
    page.get_by_label("Email").fill("new.voice@example.test")
    page.get_by_label("Display name").fill("New Voice")
    page.get_by_label("Role").select_option("singer")
    page.get_by_label(re.compile(r"^Password")).fill("a long enough password 1")
    page.get_by_label("Repeat the password").fill("a long enough password 1")
    journey.save()
    expect(page.get_by_role("status")).to_contain_text("New Voice")

    journey.goto("/plans/new")
    page.get_by_label("Code").fill("family-duo")
    page.get_by_label(re.compile(r"^Name")).fill("Family Duo")
    page.get_by_label("Price").fill("17.99")
    page.get_by_label("Currency").select_option("EUR")
    journey.check("plan form with fieldsets")
    journey.save()
    expect(page.get_by_role("status")).to_contain_text("Family Duo")

    # Strings in two locales, the second through "Save and add another".
    journey.goto("/localization/new")
    for locale, text, button in (("en", "Hello, listener", "Save and add another"),
                                 ("de", "Hallo, Hörer", "Save")):
        page.get_by_label("Key").fill("journey.greeting")
        page.get_by_label("Locale").fill(locale)
        page.get_by_label("Text").fill(text)
        journey.save(button)
        expect(page.get_by_role("status")).to_contain_text("journey.greeting")
    journey.goto("/localization/?q=journey.greeting")
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("p.muted").first).to_have_text("2 strings match these filters")

    # A setting.
    journey.goto("/config/?q=free_plan_skips")
    page.get_by_role("link", name="free_plan_skips_per_hour").click()
    journey.check("config edit")
    page.get_by_label("Value").fill("8")
    journey.save()
    expect(page.get_by_role("status")).to_contain_text("free_plan_skips_per_hour")

    # Soft-delete the genre, find it under Deleted, restore it, read its history.
    journey.goto("/genres/?q=Journey")
    page.get_by_role("link", name="Journey Jazz").first.click()
    page.get_by_role("link", name="Delete", exact=True).click()
    journey.check("delete confirmation")
    journey.save("Yes, delete")
    expect(page.get_by_role("status")).to_contain_text("Deleted genre")
    page.locator("#main").get_by_role("link", name="Deleted", exact=True).click()
    journey.check("deleted list")
    page.get_by_role("checkbox", name="Select Journey Jazz").check()
    page.get_by_label("With selected").select_option("restore")
    page.get_by_role("button", name="Go").click()
    journey.check("bulk restore confirmation")
    journey.save("Yes, restore")
    expect(page.get_by_role("status")).to_contain_text("Restored 1 genre")
    journey.goto("/genres/?q=Journey")
    page.get_by_role("link", name="Journey Jazz").first.click()  # the row's edit page
    page.get_by_role("link", name="History", exact=True).click()
    journey.check("history")
    history = page.locator("ol.history").inner_text()
    for action in ("Restored", "Deleted", "Created"):
        assert action in history, history

    # Import French strings from a JSON file, then export the German ones.
    journey.goto("/localization/import")
    page.get_by_label("Locale").fill("fr")
    page.get_by_label("File").set_input_files(files=[{
        "name": "fr.json", "mimeType": "application/json",
        "buffer": json.dumps({"journey.greeting": "Bonjour", "journey.bye": "Au revoir"})
        .encode()}])
    journey.save("Check the file")
    journey.check("import preview")
    journey.save("Import 2 strings")
    expect(page.get_by_role("status")).to_contain_text("2")
    journey.goto("/localization/export")
    journey.check("export")
    page.get_by_label("Locale").fill("de")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert exported["journey.greeting"] == "Hallo, Hörer"

    journey.sign_out()
    expect(page.get_by_role("status")).to_contain_text("signed out")


def test_singer_journey(open_page, live_server):
    journey = open_page()
    page = journey.page
    journey.sign_in(SINGER)
    journey.goto("/songs/new")
    page.get_by_label("Title").fill("Harbour Lights")
    page.get_by_label("Genre").select_option(index=1)
    page.get_by_label("Duration").fill("3:75")
    journey.save(status=422)
    # The error summary has the focus and leads to the field.
    assert "error-summary" in page.evaluate("document.activeElement.className")
    journey.check("form with errors")
    page.locator("[data-error-summary] a", has_text="Duration").click()
    assert journey.focused()["id"] == "duration_seconds"
    page.get_by_label("Duration").fill("3:45")
    page.keyboard.press("Tab")  # on to the date picker: its focus ring shows too
    assert journey.focused()["id"] == "release_date"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    journey.save()
    expect(page.get_by_role("status")).to_contain_text("Harbour Lights")

    page.get_by_role("link", name="Harbour Lights").click()
    journey.check("song edit")
    details = page.locator(".readonly-details").inner_text()
    assert "Public id" in details and SINGER in details
    page.get_by_label("Title").fill("Harbour Lights (acoustic)")
    journey.save("Save and continue editing")
    expect(page.get_by_role("heading", level=1)).to_have_text("Harbour Lights (acoustic)")
    crumbs = page.get_by_role("navigation", name="Breadcrumb").inner_text()
    assert "Songs" in crumbs and "Harbour Lights (acoustic)" in crumbs

    other = public_id(live_server, "Song", title="Otto's Only Song")
    journey.goto(f"/songs/{other}/edit", status=404)
    journey.check("not found")
    journey.sign_out()


@pytest.mark.parametrize("width,height", [(1280, 860), (390, 844)])
def test_two_people_editing_one_song_get_the_conflict_page(open_page, live_server, width,
                                                           height):
    title = "Quiet Harbour" if width > 400 else "Paper Boats"
    song = public_id(live_server, "Song", title=title)
    first, second = open_page(width, height), open_page(width, height)
    for journey in (first, second):
        journey.sign_in(ADMIN)
        journey.goto(f"/songs/{song}/edit")
    first.page.get_by_label("Title").fill(f"{title} (first)")
    first.save()
    second.page.get_by_label("Title").fill(f"{title} (second)")
    second.save(status=409)
    page = second.page
    expect(page.get_by_role("heading", name="What changed")).to_be_visible()
    assert page.get_by_label("Title").input_value() == f"{title} (second)"
    assert f"{title} (first)" in page.locator(".conflict").inner_text()
    second.check("conflict")
    second.no_horizontal_scroll()
    second.save()  # knowingly replaces the first person's title
    expect(page.get_by_role("status")).to_contain_text(f"{title} (second)")


def _tab_to(journey, predicate, limit: int = 60) -> dict[str, str]:
    for _ in range(limit):
        journey.page.keyboard.press("Tab")
        focused = journey.focused()
        outline = journey.page.evaluate(
            "() => getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none", ("no visible focus", focused)
        if predicate(focused):
            return focused
    raise AssertionError("never reached by Tab")


def test_keyboard_only_create_and_save(open_page, live_server):
    journey = open_page()
    page = journey.page
    journey.sign_in(ADMIN)
    journey.goto("/genres/")
    # The skip link is the first stop and takes the focus to the main content.
    page.keyboard.press("Tab")
    assert journey.focused()["text"] == "Skip to content"
    page.keyboard.press("Enter")
    assert journey.focused()["id"] == "main"
    _tab_to(journey, lambda f: f["text"] == "Add genre")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # Submitting empty: the focus goes to the error summary, its link to the field.
    _tab_to(journey, lambda f: f["text"] == "Save")
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert "error-summary" in page.evaluate("document.activeElement.className")
    page.keyboard.press("Tab")
    assert journey.focused()["text"].startswith("Name")
    page.keyboard.press("Enter")
    assert journey.focused()["id"] == "name"
    page.keyboard.type("Keyboard Krautrock")
    _tab_to(journey, lambda f: f["text"] == "Save")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Added genre “Keyboard Krautrock”.")


def test_phone_width(open_page, live_server):
    journey = open_page(390, 844)
    page = journey.page
    journey.sign_in(ADMIN)
    for path, current in (("/localization/", "Localization"), ("/config/", "Config"),
                          ("/songs/", "Songs")):
        journey.goto(path)
        nav = page.get_by_role("navigation", name="Sections")
        for link in nav.get_by_role("link").all():
            box = link.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, (
                link.inner_text(), box)
        expect(nav.locator("[aria-current=page]")).to_have_text(current)
        journey.no_horizontal_scroll()
    journey.goto("/songs/?per_page=25")
    rows = page.locator("tbody tr")
    heights = [rows.nth(i).bounding_box()["height"] for i in range(rows.count())]
    page_height = page.evaluate("document.documentElement.scrollHeight")
    print(f"\nsongs list at 390 px: {len(heights)} cards, tallest {max(heights):.0f} px, "
          f"page {page_height} px")
    assert max(heights) <= 130, heights  # was ~225 px: every label on its own line
    journey.check("songs list")
    # The edit form: actions next to the form, full-width buttons.
    page.locator("tbody tr a").first.click()
    save = page.get_by_role("button", name="Save", exact=True).bounding_box()
    assert save["width"] > 300
    journey.check("song edit")
    journey.sign_out()


def test_desktop_lists_keep_the_primary_column_on_one_line(open_page, live_server):
    journey = open_page(1280, 860)
    page = journey.page
    journey.sign_in(ADMIN)
    for path in ("/songs/", "/users/", "/localization/", "/config/"):
        journey.goto(path)
        heights = page.evaluate(
            "() => [...document.querySelectorAll('tbody tr')].map(tr => {"
            " const cell = tr.querySelector('td.select + td') || tr.querySelector('td');"
            " return [cell.getBoundingClientRect().height,"
            " parseFloat(getComputedStyle(cell).lineHeight)]; })")
        assert heights, path
        for height, line in heights:
            assert height < 2 * line + 20, (path, height, line)  # one line plus padding
    # Each dashboard card is a link to its list.
    journey.goto("/")
    page.get_by_role("link", name=re.compile(r"^Localization \d")).click()
    page.wait_for_url(live_server.url + "/localization/")
