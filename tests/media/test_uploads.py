"""Uploads through the song's edit page: every accepted audio format read from its content with
its duration, impostors refused with a message, size caps enforced while receiving (413, nothing
stored), covers re-encoded without metadata, bombs refused, duplicates flagged, all audited."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image
from sqlalchemy.exc import IntegrityError, OperationalError

from tests import factories
from tests.audit.support import audit_action, key_of
from tests.media import files
from tests.media.support import (
    edit_url,
    media_events,
    media_rows,
    media_url,
    stored_keys,
    upload,
)
from webadmin.media.storage import get_storage

AUDIO_FORMATS = ["wav", *files.ENCODED]


@pytest.fixture
def song(db_session, users):
    song = factories.make_song(db_session, artist=users.singer, duration_seconds=200)
    db_session.commit()
    return song


@pytest.fixture
def upload_app_config(storage_settings):
    return storage_settings


@pytest.mark.parametrize("fmt", AUDIO_FORMATS)
def test_each_audio_format_is_accepted_with_its_duration_read(
        app, db_session, singer_browser, song, fmt):
    data = files.encoded(fmt)
    response = upload(singer_browser, song, "audio", data, f"take-1.{fmt}")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    page = singer_browser.get(edit_url(song)).get_data(as_text=True)
    assert "Uploaded audio “take-1." in page
    db_session.expire_all()
    (row,) = media_rows(db_session, song)
    expected_codec = "pcm" if fmt == "wav" else files.ENCODED[fmt][2]
    assert row.codec == expected_codec
    assert abs(row.duration_ms - 2000) <= 100  # encoders pad a few frames
    assert row.sample_rate and row.channels and row.bitrate
    assert row.sha256 == hashlib.sha256(data).hexdigest()
    assert row.size_bytes == len(data)
    assert song.duration_seconds == 2  # taken from the file, not typed
    assert b"".join(get_storage(app).read(row.storage_key)) == data
    (event,) = media_events(db_session, song)
    assert event.action == "media.uploaded"
    assert event.changes["duration_seconds"] == [200, 2]
    assert event.details["sha256"] == row.sha256
    assert "<audio controls" in page


@pytest.mark.parametrize("content,filename", [
    (files.html_bytes(), "hit.mp3"),
    (files.jpeg_bytes(), "hit.mp3"),
    (files.zip_bytes(), "hit.flac"),
    (files.html_bytes(), "hit.wav"),
    (b"", "empty.mp3"),
])
def test_a_renamed_file_is_refused_with_a_message_and_nothing_stored(
        app, db_session, singer_browser, song, content, filename):
    response = upload(singer_browser, song, "audio", content, filename)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="media-audio-error"' in page
    assert ("not audio in a supported format" in page or "empty" in page
            or "Choose a file" in page)
    assert media_rows(db_session, song) == []
    assert stored_keys(app) == []
    db_session.refresh(song)
    assert song.duration_seconds == 200


@pytest.mark.parametrize("content,filename", [
    (files.html_bytes(), "cover.png"), (files.encoded("mp3"), "cover.jpg"),
    (files.zip_bytes(), "cover.webp")])
def test_a_renamed_file_is_refused_as_a_cover(app, db_session, singer_browser, song, content,
                                             filename):
    response = upload(singer_browser, song, "cover", content, filename)
    assert response.status_code == 422
    assert "not an image in a supported format" in response.get_data(as_text=True)
    assert media_rows(db_session, song) == [] and stored_keys(app) == []


class TestSizeCaps:
    @pytest.fixture
    def app_config(self, tmp_path):
        return {"MEDIA_LOCAL_ROOT": str(tmp_path / "media"),
                "MEDIA_MAX_AUDIO_BYTES": 64 * 1024, "MEDIA_MAX_IMAGE_BYTES": 16 * 1024}

    def test_an_oversized_upload_is_refused_413_and_nothing_stored(
            self, app, db_session, singer_browser, song):
        big = files.wav_bytes(seconds=6)  # ~96 KB of valid WAV
        assert len(big) > 64 * 1024
        response = upload(singer_browser, song, "audio", big, "long.wav")
        assert response.status_code == 413
        assert "The limit is 64 KB" in response.get_data(as_text=True)
        assert media_rows(db_session, song) == [] and stored_keys(app) == []

    def test_a_file_under_the_cap_passes(self, app, db_session, singer_browser, song):
        response = upload(singer_browser, song, "audio", files.wav_bytes(seconds=1), "ok.wav")
        assert response.status_code == 303

    def test_the_raised_cap_is_for_the_upload_route_only(self, app, singer_browser, song):
        # Another form of the app still has the global 2 MB limit.
        response = singer_browser.submit(edit_url(song), {"title": "x" * (3 * 1024 * 1024)})
        assert response.status_code == 413

    def test_an_audio_file_larger_than_the_global_limit_passes_its_own_cap(
            self, app, db_session, singer_browser, song):
        app.config["MAX_CONTENT_LENGTH"] = 16 * 1024  # every other route: 16 KB
        data = files.wav_bytes(seconds=3)  # ~48 KB: over the global limit, under the 64 KB cap
        assert upload(singer_browser, song, "audio", data, "ok.wav").status_code == 303
        assert len(stored_keys(app)) == 1

    def test_an_anonymous_body_meets_the_small_global_limit(self, app, client, song):
        boundary = "media-test-boundary"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"x.wav\"\r\nContent-Type: audio/wav\r\n\r\n").encode() \
            + b"\0" * (3 * 1024 * 1024) + f"\r\n--{boundary}--\r\n".encode()
        response = client.post(media_url(song, "audio"), data=body,
                               content_type=f"multipart/form-data; boundary={boundary}")
        assert response.status_code == 413


def test_a_png_with_exif_gps_is_stored_without_it(app, db_session, singer_browser, song):
    original = files.png_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the fixture has GPS
    response = upload(singer_browser, song, "cover", original, "holiday.png")
    assert response.status_code == 303
    (row,) = media_rows(db_session, song)
    storage = get_storage(app)
    for key in (row.storage_key, row.thumbnail_key):
        stored = b"".join(storage.read(key))
        image = Image.open(io.BytesIO(stored))
        assert not image.getexif(), key
        assert "exif" not in image.info and b"PhoneMaker" not in stored
        assert b"Exif" not in stored and b"eXIf" not in stored
    assert (row.width, row.height) == (64, 48)
    assert row.thumbnail_width <= 256 and row.thumbnail_height <= 256
    page = singer_browser.get(edit_url(song)).get_data(as_text=True)
    assert 'loading="lazy"' in page and f'src="{media_url(song, "thumbnail")}"' in page


@pytest.mark.parametrize("max_pixels", [25_000_000, 10**12], ids=["our cap", "Pillow's guard"])
def test_a_decompression_bomb_is_refused(app, db_session, singer_browser, song, max_pixels):
    app.config["MEDIA_MAX_IMAGE_PIXELS"] = max_pixels
    bomb = files.png_bomb()
    assert len(bomb) < 2000
    response = upload(singer_browser, song, "cover", bomb, "cover.png")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "megapixels" in page or "decompression bomb" in page
    assert media_rows(db_session, song) == [] and stored_keys(app) == []


def test_replacing_removes_the_old_objects_and_removing_removes_the_rest(
        app, db_session, singer_browser, song):
    assert upload(singer_browser, song, "audio", files.encoded("wav"), "a.wav").status_code == 303
    first = set(stored_keys(app))
    assert upload(singer_browser, song, "audio", files.encoded("flac"), "b.flac").status_code \
        == 303
    second = set(stored_keys(app))
    assert len(second) == 1 and not first & second
    confirm_url = media_url(song, "audio") + "/delete"
    assert f'href="{confirm_url}"' in singer_browser.get(edit_url(song)).get_data(as_text=True)
    confirm = singer_browser.get(confirm_url).get_data(as_text=True)
    assert "Remove the audio of" in confirm and "b.flac" in confirm
    assert len(stored_keys(app)) == 1  # asking removes nothing
    response = singer_browser.submit(confirm_url)
    assert response.status_code == 303
    assert stored_keys(app) == [] and media_rows(db_session, song) == []
    actions = [e.action for e in media_events(db_session, song)]
    assert actions == ["media.uploaded", "media.uploaded", "media.removed"]


def test_soft_delete_keeps_the_objects_and_purge_removes_them(
        app, db_session, singer_browser, admin_browser, song):
    upload(singer_browser, song, "audio", files.encoded("wav"), "a.wav")
    upload(singer_browser, song, "cover", files.jpeg_bytes(), "c.jpg")
    assert len(stored_keys(app)) == 3  # audio, cover, thumbnail
    response = singer_browser.submit(f"/songs/{song.public_id}/delete")
    assert response.status_code == 302
    assert len(stored_keys(app)) == 3
    # The superadmin purges it from the audit view (a DELETE statement, not session.delete).
    song_id, key = song.id, key_of("songs", song)
    response = audit_action(admin_browser, "purge", key)
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(type(song), song_id) is None
    assert stored_keys(app) == [] and media_rows(db_session) == []


def test_an_orm_delete_of_the_row_removes_its_media_too(app, db_session, singer_browser, song):
    upload(singer_browser, song, "cover", files.jpeg_bytes(), "c.jpg")
    db_session.expire_all()
    db_session.delete(db_session.get(type(song), song.id))
    db_session.commit()
    assert stored_keys(app) == [] and media_rows(db_session) == []


def test_the_same_recording_twice_for_one_artist_is_flagged(
        app, db_session, users, singer_browser, song):
    other = factories.make_song(db_session, artist=users.singer, title="First take")
    db_session.commit()
    upload(singer_browser, other, "audio", files.encoded("wav"), "take.wav")
    response = upload(singer_browser, song, "audio", files.encoded("wav"), "take.wav",
                      follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "The same file is already the audio of “First take”" in page


@pytest.mark.parametrize(("error", "status"), [
    # The database refuses the write: the upload is refused with a word (one write path).
    (IntegrityError("COMMIT", {}, Exception("duplicate key")), 303),
    # The connection goes away: the outage page, not a refusal (webadmin/admin/writes.py).
    (OperationalError("COMMIT", {}, Exception("server closed the connection")), 503),
])
def test_a_failed_database_commit_leaves_no_object(app, db_session, singer_browser, song,
                                                    monkeypatch, error, status):
    from webadmin.media import views

    real_attach = views.attach

    def attach_then_fail(session, *args, **kwargs):
        real_attach(session, *args, **kwargs)
        raise error

    monkeypatch.setattr(views, "attach", attach_then_fail)
    response = upload(singer_browser, song, "audio", files.encoded("wav"), "a.wav")
    assert response.status_code == status
    if status == 303:
        assert "nothing was saved" in singer_browser.get(edit_url(song)).get_data(as_text=True)
    assert stored_keys(app) == [] and media_rows(db_session, song) == []


def test_a_superadmin_uploads_for_any_song(app, db_session, admin_browser, song):
    assert upload(admin_browser, song, "cover", files.jpeg_bytes(), "c.jpg").status_code == 303
    (row,) = media_rows(db_session, song)
    assert row.content_type == "image/jpeg"


def test_uploading_without_a_file_says_so(app, singer_browser, song):
    response = singer_browser.submit(edit_url(song), {}, action=media_url(song, "audio"))
    assert response.status_code == 422
    assert "Choose a file to upload." in response.get_data(as_text=True)


def test_the_songs_list_shows_covers_as_lazy_thumbnails_at_list_size(
        app, db_session, users, singer_browser, song):
    plain = factories.make_song(db_session, artist=users.singer, title="No Cover Yet")
    db_session.commit()
    upload(singer_browser, song, "cover", files.jpeg_bytes((600, 400)), "wide.jpg")
    page = singer_browser.get("/songs/?per_page=10").get_data(as_text=True)
    thumbnail = (f'<img class="list-thumbnail" src="{media_url(song, "thumbnail")}" '
                 'width="40" height="27" loading="lazy" alt="">')
    assert thumbnail in page
    assert page.count('class="list-thumbnail"') == 1  # the song without a cover shows none
    assert plain.title in page
