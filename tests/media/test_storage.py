"""The storage interface, the same tests for the local directory and the S3-compatible server:
whole objects or nothing, ranged reads, deletion; the backend comes from configuration only."""

from __future__ import annotations

import io
import os

import pytest

from webadmin.config import load_settings
from webadmin.media.storage import LocalStorage, S3Storage, build_storage


@pytest.fixture
def storage(storage_settings, tmp_path):
    settings = load_settings({}, str(tmp_path), {"ENV_NAME": "testing", **storage_settings})
    return build_storage(settings, str(tmp_path))


def test_the_backend_is_chosen_by_configuration(storage, storage_settings):
    expected = LocalStorage if storage_settings["MEDIA_STORAGE"] == "local" else S3Storage
    assert isinstance(storage, expected)


def test_put_read_size_delete(storage):
    data = os.urandom(700 * 1024)  # several read chunks
    assert storage.put("song/abc/audio-1.wav", io.BytesIO(data)) == len(data)
    assert storage.size("song/abc/audio-1.wav") == len(data)
    assert b"".join(storage.read("song/abc/audio-1.wav")) == data
    assert b"".join(storage.read("song/abc/audio-1.wav", 1000, 1010)) == data[1000:1010]
    assert b"".join(storage.read("song/abc/audio-1.wav", len(data) - 5)) == data[-5:]
    assert list(storage.keys()) == ["song/abc/audio-1.wav"]
    storage.delete("song/abc/audio-1.wav")
    assert storage.size("song/abc/audio-1.wav") is None
    assert list(storage.keys()) == []
    storage.delete("song/abc/audio-1.wav")  # deleting a missing object is not an error


class BreaksMidway(io.BytesIO):
    """A source whose reading fails after the first chunk (a client gone, a disk error)."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.reads = 0

    def read(self, size: int | None = -1) -> bytes:
        self.reads += 1
        if self.reads > 2:
            raise OSError("connection reset while reading the upload")
        return super().read(size)


def test_a_put_failing_midway_leaves_nothing_behind(storage, storage_settings, tmp_path):
    with pytest.raises(OSError):
        storage.put("song/abc/audio-2.mp3", BreaksMidway(os.urandom(20 * 1024 * 1024)))
    assert list(storage.keys()) == []
    assert storage.size("song/abc/audio-2.mp3") is None
    if isinstance(storage, LocalStorage):  # no partial file either
        assert [p for p in storage.root.rglob("*") if p.is_file()] == []
    else:  # no multipart upload left open in the bucket
        uploads = storage.client.list_multipart_uploads(Bucket=storage.bucket)
        assert uploads.get("Uploads", []) == []


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs/key", "song/../../x", "Song/UPPER",
                                 "", "song//x"])
def test_keys_cannot_leave_the_storage(storage, key):
    with pytest.raises(ValueError):
        storage.put(key, io.BytesIO(b"x"))
