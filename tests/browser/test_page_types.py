"""Every page type at desktop and phone width: axe-core finds nothing serious or critical, the
page does not scroll sideways, and every page has one h1, a main landmark and a skip link."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.support import ADMIN, SINGER
from webadmin.db import get_db

pytestmark = pytest.mark.browser
WIDTHS = [(1280, 860), (390, 844)]


def public_id(live_server, model_name: str, **where) -> str:
    import webadmin.models as models

    model = getattr(models, model_name)
    with live_server.app.app_context():
        session = get_db(live_server.app).session()
        stmt = select(model.public_id).where(model.deleted_at.is_(None))
        for key, value in where.items():
            stmt = stmt.where(getattr(model, key) == value)
        try:
            return str(session.scalars(stmt.order_by(model.id).limit(1)).one())
        finally:
            get_db(live_server.app).session.remove()


def admin_pages(live_server) -> list[tuple[str, str]]:
    song = public_id(live_server, "Song")
    singer = public_id(live_server, "User", email="sia@example.test")
    pages = [("dashboard", "/"), ("account password", "/account/password"),
             ("songs deleted list", "/songs/?show=deleted"),
             ("songs filtered empty", "/songs/?q=no-such-song-anywhere"),
             ("songs list with counts", "/songs/?facets=1&status=published"),
             ("delete confirmation", f"/songs/{song}/delete"),
             ("history", f"/songs/{song}/history"),
             ("user set password", f"/users/{singer}/password"),
             ("user deactivate", f"/users/{singer}/deactivate"),
             ("localization missing", "/localization/missing"),
             ("localization import", "/localization/import"),
             ("localization export", "/localization/export")]
    for section, model in (("users", "User"), ("songs", "Song"), ("genres", "Genre"),
                           ("plans", "SubscriptionPlan"), ("localization", "LocalizationString"),
                           ("config", "SystemConfig")):
        row = public_id(live_server, model)
        pages += [(f"{section} list", f"/{section}/"), (f"{section} add", f"/{section}/new"),
                  (f"{section} edit", f"/{section}/{row}/edit")]
    return pages


@pytest.mark.parametrize("width,height", WIDTHS)
def test_every_admin_page_type_passes_axe(open_page, live_server, width, height):
    journey = open_page(width, height)
    journey.goto("/login")
    journey.check("sign-in")
    journey.page.get_by_role("button", name="Sign in").click()  # empty: errors in place
    journey.check("sign-in with errors")
    journey.sign_in(ADMIN)
    for page_type, path in admin_pages(live_server):
        journey.goto(path)
        journey.check(page_type)
        assert_page_structure(journey)
    journey.goto("/genres/new")
    journey.save(status=422)
    journey.check("form with errors")
    journey.goto("/songs/")
    journey.page.locator("td.select input").first.check()
    journey.page.get_by_label("With selected").select_option("delete")
    journey.page.get_by_role("button", name="Go").click()
    journey.page.wait_for_load_state()
    journey.check("bulk confirmation")
    journey.goto("/no-such-page", status=404)
    journey.check("not found")
    assert_page_structure(journey)


@pytest.mark.parametrize("width,height", WIDTHS)
def test_singer_page_types_pass_axe(open_page, live_server, width, height):
    journey = open_page(width, height)
    journey.sign_in(SINGER)
    journey.check("singer dashboard")
    song = public_id(live_server, "Song", artist_user_id=_user_id(live_server, SINGER))
    for page_type, path in (("singer songs list", "/songs/"), ("singer song add", "/songs/new"),
                            ("singer song edit", f"/songs/{song}/edit")):
        journey.goto(path)
        journey.check(page_type)
        assert_page_structure(journey)


def _user_id(live_server, email: str) -> int:
    from webadmin.models import User

    with live_server.app.app_context():
        session = get_db(live_server.app).session()
        try:
            return session.scalars(select(User.id).where(User.email == email)).one()
        finally:
            get_db(live_server.app).session.remove()


def assert_page_structure(journey) -> None:
    page = journey.page
    assert page.locator("h1").count() == 1, page.url
    assert page.locator("main#main").count() == 1, page.url
    assert page.locator("a.skip-link[href='#main']").count() == 1, page.url
    journey.no_horizontal_scroll()
