"""Screenshots of the pages people use most, at desktop and phone width: the songs list (with
filter counts shown; with rows ticked: the bulk bar), the song form with an error in place, an
edit form (fieldsets, read-only details), the conflict page, a row's history, the audit view
and change log, the dashboard and the phone navigation.

    .venv/bin/python scripts/screenshots.py            # writes docs/screenshots/*.png

Starts the app on a temporary SQLite database (migrated, seeded, demo catalogue) on a free
127.0.0.1 port, signs in with headless Debian chromium (Playwright) and captures full pages.
Everything it starts is stopped at the end.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from tests.browser.support import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
WIDTHS = {"desktop": (1280, 860), "phone": (390, 844)}
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@example.com", "admin-password-123"


def build_app(db_path: str):
    from tests.helpers import alembic_config, run_alembic
    from webadmin import create_app
    from webadmin.db import get_db
    from webadmin.services.demo import load_demo_data
    from webadmin.services.seed import seed_reference_data
    from webadmin.services.users import ensure_superadmin

    url = f"sqlite:///{db_path}"
    run_alembic(alembic_config(url), "upgrade", "head")
    app = create_app({"ENV_NAME": "development", "DATABASE_URL": url,
                      "SECRET_KEY": os.urandom(32).hex(), "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        session = get_db(app).session()
        seed_reference_data(session)
        load_demo_data(session, songs_per_singer=14)
        ensure_superadmin(session, email=ADMIN_EMAIL, password=ADMIN_PASSWORD,
                          display_name="Ada Admin")
        session.commit()
    return app


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", ADMIN_EMAIL)
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def capture(page: Page, base: str, suffix: str) -> list[Path]:
    shots = []

    def shot(name: str, *, full_page: bool = True) -> None:
        path = OUT / f"{name}-{suffix}.png"
        page.screenshot(path=str(path), full_page=full_page)
        shots.append(path)

    page.goto(f"{base}/")
    shot("dashboard")
    page.goto(f"{base}/songs/?per_page=10")
    shot("songs-list")
    page.goto(f"{base}/songs/?per_page=10&facets=1&status=published")  # filter counts on
    shot("songs-filter-counts", full_page=False)
    page.goto(f"{base}/songs/?per_page=10&sort=artist")  # two rows ticked: the bulk bar
    for box in page.locator("td.select input").all()[:2]:
        box.check()
    page.select_option("#bulk-action", "publish")
    shot("songs-bulk", full_page=False)  # the bar as it sits: at the foot of the window
    if suffix == "phone":  # the section navigation, every section on view
        page.goto(f"{base}/localization/")
        shot("phone-navigation", full_page=False)
    page.goto(f"{base}/songs/new")
    page.fill("#title", "Northern Lights")
    page.select_option("#artist", index=1)
    page.select_option("#genre", label="Indie Rock")
    page.fill("#duration_seconds", "3:75")  # a mistake, to show an error in place
    page.fill("#isrc", "us-rc1-24-00042")
    page.click("button[name=_save]")
    shot("song-form")
    page.goto(f"{base}/plans/?q=premium")
    page.locator("tbody a").first.click()
    shot("plan-form")
    conflict(page, base, shot)
    page.goto(f"{base}/songs/?per_page=10")
    page.locator("tbody a").first.click()  # the title links to the edit page, which has History
    page.get_by_role("link", name="History", exact=True).click()
    shot("history")
    audit(page, base, shot)
    return shots


def audit(page: Page, base: str, shot) -> None:
    """A song deleted, then the audit view that can bring it back, and the change log."""
    page.goto(f"{base}/songs/?per_page=10&sort=-artist")
    page.locator("tbody a").first.click()
    page.get_by_role("link", name="Delete", exact=True).click()
    page.get_by_role("button", name="Yes, delete").click()
    page.wait_for_url(f"{base}/songs/")
    page.goto(f"{base}/audit/")
    shot("audit-deleted")
    page.goto(f"{base}/audit/log")
    shot("audit-log", full_page=False)


def conflict(page: Page, base: str, shot) -> None:
    """Two tabs edit one song; the second save gets the conflict page."""
    page.goto(f"{base}/songs/?per_page=10")
    page.locator("tbody a").first.click()
    edit_url = page.url
    other = page.context.new_page()
    other.goto(edit_url)
    other.fill("#title", other.input_value("#title") + " (remastered)")
    other.click("button[name=_save]")
    other.close()
    page.fill("#title", page.input_value("#title") + " (live)")
    page.click("button[name=_save]")
    shot("conflict")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(os.path.join(tmp, "screens.db"))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        base = f"http://127.0.0.1:{server.server_port}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                                     args=CHROMIUM_ARGS)
                try:
                    for suffix, (width, height) in WIDTHS.items():
                        context = browser.new_context(viewport={"width": width,
                                                                "height": height})
                        page = context.new_page()
                        sign_in(page, base)
                        for path in capture(page, base, suffix):
                            print(f"wrote {path.relative_to(ROOT)}")
                        context.close()
                finally:
                    browser.close()
        finally:
            server.shutdown()
            thread.join(timeout=10)
    return 0


if __name__ == "__main__":
    if {"-h", "--help"} & set(sys.argv[1:]):
        print(__doc__.strip())
        raise SystemExit(0)
    raise SystemExit(main())
