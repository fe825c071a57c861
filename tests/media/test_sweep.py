"""``flask media-sweep``: objects no row points at (a crash between writing an object and
committing its row) are deleted once old enough; referenced, recent and foreign ones stay."""

from __future__ import annotations

import io
import os
import time

from tests import factories
from tests.media import files
from tests.media.support import stored_keys, upload
from webadmin.media.storage import get_storage


def test_the_sweep_deletes_only_old_unreferenced_objects(app, db_session, users, singer_browser):
    song = factories.make_song(db_session, artist=users.singer)
    db_session.commit()
    assert upload(singer_browser, song, "audio", files.encoded("wav"), "a.wav").status_code == 303
    (referenced,) = stored_keys(app)
    storage = get_storage(app)
    old = int(time.time()) - 2 * 3600
    orphan = f"song/{song.public_id}/audio-{old}-{'a' * 32}.wav"
    recent = f"song/{song.public_id}/audio-{int(time.time())}-{'b' * 32}.wav"
    foreign = "backups/not-ours.bin"
    for key in (orphan, recent, foreign):
        storage.put(key, io.BytesIO(b"bytes"))
    partial = storage.root / ".partial" / "killed-mid-upload"
    partial.write_bytes(b"half")
    os.utime(partial, (old, old))

    runner = app.test_cli_runner()
    dry = runner.invoke(args=["media-sweep", "--dry-run"])
    assert dry.exit_code == 0 and orphan in dry.output
    assert "1 orphaned object(s) found" in dry.output
    assert orphan in stored_keys(app)

    result = runner.invoke(args=["media-sweep"])
    assert result.exit_code == 0, result.output
    assert sorted(stored_keys(app)) == sorted([referenced, recent, foreign])
    assert not partial.exists()
