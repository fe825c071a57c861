"""Object storage unreachable (S3 endpoint down): an upload says so and stores nothing (503, the
row untouched); serving answers 503, never a 500 or a stack trace."""

from __future__ import annotations

import pytest

from tests import factories
from tests.helpers import free_port
from tests.media import files
from tests.media.support import edit_url, media_rows, media_url, upload
from webadmin.models import MediaFile


@pytest.fixture
def app_config(s3_credentials, monkeypatch):
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # refused connections: no retry loop
    return {"MEDIA_STORAGE": "s3", "MEDIA_S3_BUCKET": "nowhere",
            "MEDIA_S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}",  # nobody listens
            "MEDIA_S3_REGION": "us-east-1"}


@pytest.fixture
def song(db_session, users):
    song = factories.make_song(db_session, artist=users.singer, duration_seconds=200)
    db_session.commit()
    return song


def test_an_upload_while_storage_is_down_stores_nothing_and_says_so(
        db_session, singer_browser, song):
    response = upload(singer_browser, song, "audio", files.encoded("wav"), "a.wav")
    assert response.status_code == 503
    assert "could not be stored right now; nothing was saved" in response.get_data(as_text=True)
    assert media_rows(db_session, song) == []
    db_session.refresh(song)
    assert song.duration_seconds == 200


def test_serving_while_storage_is_down_is_503(db_session, singer_browser, song):
    db_session.add(MediaFile(owner_table="song", owner_id=song.id, kind="audio",
                             storage_key=f"song/{song.public_id}/audio-1-{'c' * 32}.wav",
                             content_type="audio/wav", size_bytes=10, sha256="0" * 64))
    db_session.commit()
    assert singer_browser.get(media_url(song, "audio")).status_code == 503
    assert singer_browser.get(edit_url(song)).status_code == 200  # the page still works
