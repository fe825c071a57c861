"""Serving: through the section's permission checks (another singer's media is 404 by every
URL), with Range (206) and fixed types, never renderable as a page; X-Accel-Redirect behind
nginx. The upload-and-serve round trip runs on both storage backends."""

from __future__ import annotations

import io

import pytest

from tests import factories
from tests.media import files
from tests.media.support import edit_url, media_rows, media_url, stored_keys, upload


@pytest.fixture
def app_config(storage_settings):
    return storage_settings


@pytest.fixture
def song(db_session, users):
    song = factories.make_song(db_session, artist=users.singer, title="Night Drive")
    db_session.commit()
    return song


@pytest.fixture
def song_with_media(singer_browser, song):
    assert upload(singer_browser, song, "audio", files.encoded("wav"), "night.wav"
                  ).status_code == 303
    assert upload(singer_browser, song, "cover", files.jpeg_bytes(), "night.jpg"
                  ).status_code == 303
    return song


def test_a_range_request_gets_206_with_the_right_bytes(singer_browser, song_with_media):
    data = files.encoded("wav")
    url = media_url(song_with_media, "audio")
    response = singer_browser.get(url, headers={"Range": "bytes=100-199"})
    assert response.status_code == 206
    assert response.data == data[100:200]
    assert response.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert response.headers["Content-Length"] == "100"
    suffix = singer_browser.get(url, headers={"Range": "bytes=-10"})
    assert suffix.status_code == 206 and suffix.data == data[-10:]
    whole = singer_browser.get(url)
    assert whole.status_code == 200 and whole.data == data
    assert whole.headers["Accept-Ranges"] == "bytes"
    beyond = singer_browser.get(url, headers={"Range": f"bytes={len(data) + 10}-"})
    assert beyond.status_code == 416
    assert beyond.headers["Content-Range"] == f"bytes */{len(data)}"


@pytest.mark.parametrize("kind,content_type", [("audio", "audio/wav"), ("cover", "image/jpeg"),
                                               ("thumbnail", "image/jpeg")])
def test_served_files_have_their_type_and_never_render_as_a_page(
        singer_browser, song_with_media, kind, content_type):
    response = singer_browser.get(media_url(song_with_media, kind))
    assert response.status_code == 200
    assert response.mimetype == content_type
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("inline; filename=")
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_another_singers_media_is_404_by_every_url(
        app, db_session, singer_browser, other_singer_browser, song_with_media):
    song = song_with_media
    before = sorted(stored_keys(app))
    answers = {kind: other_singer_browser.get(media_url(song, kind)).status_code
               for kind in ("audio", "cover", "thumbnail")}
    token_page = "/songs/"  # a page of their own, for a valid CSRF token
    for kind in ("audio", "cover"):
        answers[f"upload {kind}"] = other_singer_browser.submit(
            token_page, {"file": (io.BytesIO(files.jpeg_bytes()), "x.jpg")},
            action=media_url(song, kind), content_type="multipart/form-data").status_code
        answers[f"remove {kind}"] = other_singer_browser.submit(
            token_page, action=media_url(song, kind) + "/delete").status_code
    answers["edit page"] = other_singer_browser.get(edit_url(song)).status_code
    for kind in ("audio", "cover"):
        answers[f"remove page {kind}"] = other_singer_browser.get(
            media_url(song, kind) + "/delete").status_code
    assert set(answers.values()) == {404}, answers
    assert sorted(stored_keys(app)) == before
    assert len(media_rows(db_session, song)) == 2


@pytest.mark.parametrize("url", ["/songs/{id}/media/lyrics", "/genres/{id}/media/audio",
                                 "/nosuch/{id}/media/audio", "/songs/not-a-uuid/media/audio"])
def test_unknown_sections_kinds_and_ids_are_404(admin_browser, song_with_media, url):
    assert admin_browser.get(url.format(id=song_with_media.public_id)).status_code == 404


def test_a_soft_deleted_songs_media_is_404(singer_browser, song_with_media):
    singer_browser.submit(f"/songs/{song_with_media.public_id}/delete")
    assert singer_browser.get(media_url(song_with_media, "audio")).status_code == 404


def test_behind_nginx_the_file_is_handed_over_by_x_accel_redirect(
        app, singer_browser, song_with_media, storage_settings):
    app.config["MEDIA_ACCEL_REDIRECT"] = "/_media/"
    response = singer_browser.get(media_url(song_with_media, "audio"))
    (key,) = [k for k in stored_keys(app) if "/audio-" in k]
    if storage_settings["MEDIA_STORAGE"] == "local":
        assert response.headers["X-Accel-Redirect"] == f"/_media/{key}"
        assert response.data == b""
    else:  # S3 objects are streamed by the app (there is no file for nginx)
        assert "X-Accel-Redirect" not in response.headers
        assert response.data == files.encoded("wav")
    assert response.mimetype == "audio/wav"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_edit_page_shows_the_player_and_the_cover(singer_browser, song_with_media):
    page = singer_browser.get(edit_url(song_with_media)).get_data(as_text=True)
    assert f'<audio controls preload="metadata" src="{media_url(song_with_media, "audio")}"' \
        in page
    assert 'loading="lazy"' in page and 'width="' in page and 'height="' in page
    assert "PCM" in page and "8 kHz" in page and "mono" in page
    assert page.count('enctype="multipart/form-data"') == 2
