"""The edit page's audio player seeks in Debian's chromium: the browser gets 206 answers to its
Range requests and lands where it was asked to."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from werkzeug.serving import make_server

from tests import factories
from tests.auth.test_sign_in_browser import CHROMIUM, CHROMIUM_ARGS, chromium  # noqa: F401
from tests.conftest import make_test_app
from tests.helpers import DEFAULT_PASSWORD, free_port
from tests.media import files
from webadmin.db import get_db
from webadmin.media.fields import AudioField
from webadmin.media.services import ObjectChanges, attach
from webadmin.media.storage import get_storage
from webadmin.models import UserRole
from webadmin.services.users import create_user

pytestmark = pytest.mark.browser
EMAIL = "player-singer@example.test"


@pytest.fixture
def live_song(migrated_database: str, committing_engine: Engine, tmp_path) -> Iterator[tuple]:
    app = make_test_app(migrated_database, MEDIA_LOCAL_ROOT=str(tmp_path / "media"))
    with app.app_context():
        session = get_db(app).session()
        singer = create_user(session, email=EMAIL, display_name="Player Singer",
                             password=DEFAULT_PASSWORD, role=UserRole.singer)
        song = factories.make_song(session, artist=singer, title="Long Tone")
        changes = ObjectChanges(get_storage())
        attach(session, changes, AudioField(), song, io.BytesIO(files.wav_bytes(seconds=20)),
               "tone.wav", singer, max_bytes=1 << 24, max_pixels=1)
        session.commit()
        public_id = song.public_id
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", public_id
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        get_db(app).engine.dispose()


def test_the_player_on_the_edit_page_seeks(live_song, chromium):  # noqa: F811
    base, public_id = live_song
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    media_statuses: list[int] = []
    page.on("response", lambda r: media_statuses.append(r.status)
            if "/media/audio" in r.url else None)
    try:
        page.goto(f"{base}/login?next=/songs/{public_id}/edit")
        page.get_by_label("Email").fill(EMAIL)
        page.get_by_label("Password").fill(DEFAULT_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{base}/songs/{public_id}/edit")
        audio = page.locator("audio")
        audio.wait_for()
        page.wait_for_function("document.querySelector('audio').readyState >= 1",
                               timeout=15000)
        assert page.evaluate("document.querySelector('audio').duration") == pytest.approx(20, 0.05)
        assert page.evaluate("document.querySelector('audio').seekable.length") == 1
        assert page.evaluate("document.querySelector('audio').seekable.end(0)") > 19
        landed = page.evaluate("""() => new Promise((resolve, reject) => {
            const audio = document.querySelector('audio');
            const timer = setTimeout(() => reject(new Error('no seeked event')), 10000);
            audio.addEventListener('seeked', () => { clearTimeout(timer);
                                                     resolve(audio.currentTime); },
                                   {once: true});
            audio.currentTime = 15.5;
        })""")
        assert landed == pytest.approx(15.5, abs=0.1)
        assert 206 in media_statuses, media_statuses
    finally:
        context.close()
