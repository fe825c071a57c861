"""One chromium and one live server for the whole browser package.

The server runs the app on the test database with real commits (reference data, a demo catalogue
and the accounts below); every table is emptied before and after the package, so the other test
packages still start from an empty database. Each test gets its own browser context(s) through
``open_page``, which records console errors, page errors and CSP violations and fails the test
on any of them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine
from werkzeug.serving import make_server

from tests.browser.support import (
    ADMIN,
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    SINGER,
    SINGER_OTHER,
    Journey,
)
from tests.conftest import make_test_app
from tests.helpers import empty_every_table, free_port
from webadmin.db import get_db


def empty_database(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            empty_every_table(connection)
    finally:
        engine.dispose()


def load_catalogue(app: Flask) -> None:
    from sqlalchemy import select

    from webadmin.models import Genre, Song, UserRole
    from webadmin.services.demo import load_demo_data
    from webadmin.services.seed import seed_reference_data
    from webadmin.services.users import create_user

    with app.app_context():
        session = get_db(app).session()
        seed_reference_data(session)
        accounts = {email: create_user(session, email=email, display_name=name,
                                       password=PASSWORD, role=role)
                    for email, name, role in ((ADMIN, "Ada Admin", UserRole.superadmin),
                                              (SINGER, "Sia Singer", UserRole.singer),
                                              (SINGER_OTHER, "Otto Other", UserRole.singer))}
        session.flush()
        genre = session.scalars(select(Genre).order_by(Genre.id)).first()
        for email, titles in ((SINGER, ("Paper Boats", "Quiet Harbour")),
                              (SINGER_OTHER, ("Otto's Only Song",))):
            for title in titles:
                session.add(Song(title=title, artist_user_id=accounts[email].id,
                                 genre_id=genre.id, duration_seconds=200))
        load_demo_data(session, songs_per_singer=9)
        session.commit()
        get_db(app).session.remove()


@dataclass
class LiveServer:
    url: str
    app: Flask


@pytest.fixture(scope="package")
def live_server(migrated_database: str) -> Iterator[LiveServer]:
    empty_database(migrated_database)
    app = make_test_app(migrated_database)
    load_catalogue(app)
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        get_db(app).engine.dispose()
        empty_database(migrated_database)


@pytest.fixture(scope="package")
def chromium() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Pages:
    """Opens pages in fresh contexts; every page's problems are checked when the test ends."""

    browser: Any
    base: str
    journeys: list[Journey] = field(default_factory=list)

    def __call__(self, width: int = 1280, height: int = 860) -> Journey:
        context = self.browser.new_context(viewport={"width": width, "height": height},
                                           accept_downloads=True)
        context.set_default_timeout(10_000)
        journey = Journey(context.new_page(), self.base)
        self.journeys.append(journey)
        return journey


@pytest.fixture
def open_page(chromium: Any, live_server: LiveServer) -> Iterator[Callable[..., Journey]]:
    pages = Pages(chromium, live_server.url)
    try:
        yield pages
    finally:
        problems = [p for journey in pages.journeys for p in journey.problems]
        for journey in pages.journeys:
            journey.page.context.close()
    assert not problems, problems


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print axe-core's per-page counts (all impacts; the tests fail on serious/critical)."""
    from tests.browser.support import AXE_RESULTS

    if not AXE_RESULTS:
        return
    terminalreporter.section("axe-core violations per page type")
    for page_type in sorted(AXE_RESULTS):
        counts = AXE_RESULTS[page_type]
        text = ", ".join(f"{impact} {n}" for impact, n in sorted(counts.items())) or "none"
        terminalreporter.write_line(f"{page_type:<48} {text}")
