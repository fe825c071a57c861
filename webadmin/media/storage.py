"""Where uploaded bytes live, behind one small interface: a local directory or S3-compatible
object storage, chosen by configuration (``MEDIA_STORAGE``) — nothing else in the app knows which.

``put`` is all-or-nothing: a local file is written under ``.partial/`` and renamed into place; an
S3 object only exists once its (multipart) upload completes, and a failed one is aborted. Keys
are fresh per upload, so a put never replaces an object a committed row points at.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from flask import Flask, current_app

CHUNK_SIZE = 256 * 1024
S3_PART_SIZE = 8 * 1024 * 1024
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*(?:/[a-z0-9][a-z0-9_.-]*)*$")
PARTIAL_DIR = ".partial"


class StorageError(OSError):
    """The storage refused or failed an operation (disk full, bucket unreachable…)."""


def check_key(key: str) -> str:
    if not KEY_PATTERN.match(key) or ".." in key:
        raise ValueError(f"invalid storage key {key!r}")
    return key


class Storage(Protocol):
    kind: str

    def put(self, key: str, source: BinaryIO) -> int:
        """Store ``source`` (read from its start, in chunks) under ``key``; returns the size."""

    def read(self, key: str, start: int = 0, stop: int | None = None) -> Iterator[bytes]:
        """Bytes ``start``..``stop`` (exclusive) of the object, in chunks."""

    def size(self, key: str) -> int | None:
        """The object's size, None when there is no such object."""

    def delete(self, key: str) -> None:
        """Remove the object; a missing one is not an error."""

    def keys(self) -> Iterator[str]:
        """Every stored key (for the orphan sweep and the tests)."""

    def local_path(self, key: str) -> str | None:
        """A file path for X-Accel-Redirect, when the storage is a local directory."""


class LocalStorage:
    kind = "local"

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, source: BinaryIO) -> int:
        final = self._path(key)
        partial_dir = self.root / PARTIAL_DIR
        partial_dir.mkdir(parents=True, exist_ok=True)
        final.parent.mkdir(parents=True, exist_ok=True)
        partial = partial_dir / uuid.uuid4().hex
        size = 0
        try:
            source.seek(0)
            with open(partial, "xb") as out:
                while chunk := source.read(CHUNK_SIZE):
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, final)
        except BaseException as error:
            partial.unlink(missing_ok=True)
            if isinstance(error, OSError) and not isinstance(error, StorageError):
                raise StorageError(f"could not store {key}: {error}") from error
            raise
        return size

    def read(self, key: str, start: int = 0, stop: int | None = None) -> Iterator[bytes]:
        with open(self._path(key), "rb") as handle:
            handle.seek(start)
            remaining = None if stop is None else stop - start
            while remaining is None or remaining > 0:
                chunk = handle.read(CHUNK_SIZE if remaining is None
                                    else min(CHUNK_SIZE, remaining))
                if not chunk:
                    return
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk

    def size(self, key: str) -> int | None:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)
        parent = path.parent
        while parent != self.root and parent.is_dir():  # leave no empty folders behind
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent

    def keys(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            relative = path.relative_to(self.root).as_posix()
            if path.is_file() and not relative.startswith(PARTIAL_DIR + "/"):
                yield relative

    def local_path(self, key: str) -> str | None:
        return str(self._path(key))

    def clean_partials(self, written_before: float) -> None:
        """Remove half-written files a killed process left in ``.partial/``."""
        partial_dir = self.root / PARTIAL_DIR
        if partial_dir.is_dir():
            for path in partial_dir.iterdir():
                if path.stat().st_mtime < written_before:
                    path.unlink(missing_ok=True)


class S3Storage:
    kind = "s3"

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, source: BinaryIO) -> int:
        from boto3.s3.transfer import TransferConfig

        # One part buffered at a time (no upload threads): memory stays at one part whatever
        # the file's size. A failed multipart upload is aborted by the transfer manager.
        config = TransferConfig(multipart_threshold=S3_PART_SIZE,
                                multipart_chunksize=S3_PART_SIZE, use_threads=False)
        source.seek(0, os.SEEK_END)
        size = source.tell()
        source.seek(0)
        with _s3_errors(f"could not store {key}"):
            self.client.upload_fileobj(source, self.bucket, self._key(key), Config=config)
        return size

    def read(self, key: str, start: int = 0, stop: int | None = None) -> Iterator[bytes]:
        if stop is not None and stop <= start:
            return
        byte_range = f"bytes={start}-{'' if stop is None else stop - 1}"
        with _s3_errors(f"could not read {key}"):
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(key),
                                          Range=byte_range)["Body"]
        try:
            yield from body.iter_chunks(CHUNK_SIZE)
        finally:
            body.close()

    def size(self, key: str) -> int | None:
        from botocore.exceptions import ClientError

        try:
            with _s3_errors(f"could not look up {key}", passing=ClientError):
                head = self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise StorageError(f"could not look up {key}: {error}") from error
        return int(head["ContentLength"])

    def delete(self, key: str) -> None:
        with _s3_errors(f"could not delete {key}"):
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def keys(self) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", ()):
                yield item["Key"][len(self.prefix):]

    def local_path(self, key: str) -> str | None:
        return None


@contextmanager
def _s3_errors(what: str, passing: type[Exception] | None = None) -> Iterator[None]:
    """botocore's errors (endpoint unreachable, access denied…) as StorageError."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (BotoCoreError, ClientError) as error:
        if passing is not None and isinstance(error, passing):
            raise
        raise StorageError(f"{what}: {error}") from error


def build_storage(config: dict[str, Any], instance_path: str) -> Storage:
    if config["MEDIA_STORAGE"] == "s3":
        import boto3

        client = boto3.client("s3", endpoint_url=config["MEDIA_S3_ENDPOINT_URL"] or None,
                              region_name=config["MEDIA_S3_REGION"] or None)
        return S3Storage(client, config["MEDIA_S3_BUCKET"], config["MEDIA_S3_PREFIX"])
    root = config.get("MEDIA_LOCAL_ROOT") or os.path.join(instance_path, "media")
    return LocalStorage(root)


def init_storage(app: Flask) -> None:
    from ..config import ConfigError

    if app.config["MEDIA_STORAGE"] == "s3" and not app.config["MEDIA_S3_BUCKET"]:
        raise ConfigError("MEDIA_STORAGE=s3 needs MEDIA_S3_BUCKET (and the endpoint and "
                          "credentials in MEDIA_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, "
                          "AWS_SECRET_ACCESS_KEY).")
    app.extensions["media_storage"] = build_storage(app.config, app.instance_path)


def get_storage(app: Flask | None = None) -> Storage:
    return (app or current_app).extensions["media_storage"]  # type: ignore[no-any-return]
