"""Albums declare a cover (``media = (ImageField(),)``) and get uploads, thumbnails and the same
permission checks as songs, with no code of their own."""

from __future__ import annotations

import pytest

from tests import factories
from tests.media import files
from tests.media.support import edit_url, media_rows, media_url, stored_keys, upload


@pytest.fixture
def album(db_session, users):
    album = factories.make_album(db_session, artist=users.singer, title="Night Drive")
    db_session.commit()
    return album


def test_a_singer_gives_their_album_a_cover_without_metadata(
        app, db_session, singer_browser, album):
    response = upload(singer_browser, album, "cover", files.jpeg_bytes(), "front.jpg")
    assert response.status_code == 303
    page = singer_browser.get(edit_url(album)).get_data(as_text=True)
    assert "Uploaded cover art “front.jpg”" in page
    (row,) = media_rows(db_session, album)
    assert row.kind == "cover" and row.thumbnail_key
    served = singer_browser.get(media_url(album, "cover"))
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert len(stored_keys(app)) == 2  # the cover and its thumbnail


def test_the_albums_list_shows_the_cover_as_a_lazy_thumbnail(singer_browser, album):
    upload(singer_browser, album, "cover", files.jpeg_bytes(), "front.jpg")
    page = singer_browser.get("/albums/").get_data(as_text=True)
    assert f'src="{media_url(album, "thumbnail")}' in page
    assert 'loading="lazy"' in page


def test_an_album_takes_no_audio(singer_browser, album):
    response = upload(singer_browser, album, "audio", files.encoded("wav"), "a.wav")
    assert response.status_code == 404


def test_another_singers_album_cover_is_404_by_every_url(
        singer_browser, other_singer_browser, album):
    upload(singer_browser, album, "cover", files.jpeg_bytes(), "front.jpg")
    for kind in ("cover", "thumbnail"):
        assert other_singer_browser.get(media_url(album, kind)).status_code == 404
    assert other_singer_browser.get(media_url(album, "cover") + "/delete").status_code == 404
