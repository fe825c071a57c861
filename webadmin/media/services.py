"""Media writes: attach an upload to a row, remove it, and clean up when the row is purged.

Storage and database stay consistent: objects are written under fresh keys before the row
points at them; ``ObjectChanges`` deletes the new objects when the transaction fails and the
replaced ones only once it has committed. A crash between the two leaves an unreferenced object
(never a row pointing at nothing), which ``flask media-sweep`` removes.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ..models import MediaFile, Model, User, live
from ..services import audit
from .fields import AudioField, MediaField
from .probe import AudioInfo, ImageInfo, Rejected, probe_audio, process_image
from .storage import CHUNK_SIZE, Storage

log = logging.getLogger(__name__)


class TooLarge(Exception):
    """The file is over its size cap (answered 413)."""


@dataclass
class ObjectChanges:
    """Objects written and objects made obsolete by one transaction."""

    storage: Storage
    written: list[str] = field(default_factory=list)
    obsolete: list[str] = field(default_factory=list)

    def committed(self) -> None:
        _delete_quietly(self.storage, self.obsolete)
        self.written, self.obsolete = [], []

    def failed(self) -> None:
        _delete_quietly(self.storage, self.written)
        self.written, self.obsolete = [], []


def _delete_quietly(storage: Storage, keys: Iterable[str]) -> None:
    for key in keys:
        try:
            storage.delete(key)
        except Exception:  # noqa: BLE001 - the sweep removes what could not be deleted now
            log.warning("media: could not delete object %s (the sweep will)", key, exc_info=True)


def measure(stream: BinaryIO, limit: int) -> tuple[int, str]:
    """(size, sha256) read in chunks; TooLarge past ``limit`` bytes."""
    digest = hashlib.sha256()
    size = 0
    stream.seek(0)
    while chunk := stream.read(CHUNK_SIZE):
        size += len(chunk)
        if size > limit:
            raise TooLarge
        digest.update(chunk)
    stream.seek(0)
    return size, digest.hexdigest()


def current_media(session: Session, obj: Model, kinds: Iterable[str] | None = None
                  ) -> dict[str, MediaFile]:
    stmt = select(MediaFile).where(MediaFile.owner_table == type(obj).__tablename__,
                                   MediaFile.owner_id == obj.id,
                                   live(MediaFile))
    if kinds is not None:
        stmt = stmt.where(MediaFile.kind.in_(list(kinds)))
    return {row.kind: row for row in session.scalars(stmt)}


@dataclass(frozen=True)
class Attached:
    row: MediaFile
    duplicates: list[str]  # labels of the owner's other rows holding the same file


def _new_key(obj: Model, kind: str, extension: str, suffix: str = "") -> str:
    """A fresh key; the upload time in it lets the sweep tell an abandoned object from one whose
    transaction is still running."""
    return (f"{type(obj).__tablename__}/{obj.public_id}/"
            f"{kind}{suffix}-{int(time.time())}-{uuid.uuid4().hex}{extension}")


KEY_TIME = re.compile(r"-(\d{10})-[0-9a-f]{32}\.[a-z0-9]+$")


def key_time(key: str) -> int | None:
    match = KEY_TIME.search(key)
    return int(match.group(1)) if match else None


def sweep(session: Session, storage: Storage, *, older_than_seconds: int = 3600,
          dry_run: bool = False) -> list[str]:
    """Delete objects no row points at, written more than ``older_than_seconds`` ago (what a
    crash between writing an object and committing its row leaves). Keys this app did not
    write are never touched."""
    referenced = set(session.scalars(select(MediaFile.storage_key)))
    referenced |= set(session.scalars(select(MediaFile.thumbnail_key)
                                      .where(MediaFile.thumbnail_key.is_not(None))))
    cutoff = time.time() - older_than_seconds
    orphans = [key for key in storage.keys() if key not in referenced
               and (written := key_time(key)) is not None and written < cutoff]
    if not dry_run:
        _delete_quietly(storage, orphans)
        clean_partials = getattr(storage, "clean_partials", None)
        if clean_partials is not None:
            clean_partials(cutoff)
    return orphans


def attach(session: Session, changes: ObjectChanges, spec: MediaField, obj: Model,
           stream: BinaryIO, filename: str, user: User, *, max_bytes: int,
           max_pixels: int) -> Attached:
    """Check ``stream``, store it and point ``obj``'s media row at it; the caller commits and
    then calls ``changes.committed()`` (or ``changes.failed()`` on any error)."""
    size, sha256 = measure(stream, max_bytes)
    if size == 0:
        raise Rejected("This file is empty.")
    storage = changes.storage
    previous = current_media(session, obj, [spec.kind]).get(spec.kind)
    row = previous or MediaFile(owner_table=type(obj).__tablename__, owner_id=obj.id,
                                kind=spec.kind)
    audio: AudioInfo | None = None
    image: ImageInfo | None = None
    if isinstance(spec, AudioField):
        audio = probe_audio(stream)
        key = _new_key(obj, spec.kind, audio.extension)
        storage.put(key, stream)
        changes.written.append(key)
        content_type, stored_size, stored_sha = audio.content_type, size, sha256
        thumbnail_key = None
    else:
        image = process_image(stream, max_pixels)
        key = _new_key(obj, spec.kind, image.extension)
        thumbnail_key = _new_key(obj, spec.kind, image.extension, "-thumb")
        storage.put(key, io.BytesIO(image.data))
        changes.written.append(key)
        storage.put(thumbnail_key, io.BytesIO(image.thumbnail))
        changes.written.append(thumbnail_key)
        content_type, stored_size = image.content_type, len(image.data)
        stored_sha = sha256  # of the upload: "the same picture twice" is about what was sent
    if previous is not None:
        changes.obsolete.extend(k for k in (previous.storage_key, previous.thumbnail_key) if k)
    before = _describe(previous)
    row.storage_key = key
    row.thumbnail_key = thumbnail_key
    row.content_type = content_type
    row.original_name = _clean_name(filename)
    row.size_bytes = stored_size
    row.sha256 = stored_sha
    row.uploaded_by_user_id = user.id
    row.owner_user_id = getattr(obj, spec.owner_user) if spec.owner_user else None
    row.duration_ms = audio.duration_ms if audio else None
    row.codec = audio.codec if audio else None
    row.bitrate = audio.bitrate if audio else None
    row.sample_rate = audio.sample_rate if audio else None
    row.channels = audio.channels if audio else None
    row.width = image.width if image else None
    row.height = image.height if image else None
    row.thumbnail_width = image.thumbnail_width if image else None
    row.thumbnail_height = image.thumbnail_height if image else None
    if previous is None:
        session.add(row)
    record_changes: dict[str, Any] = {spec.kind: [before, _describe(row)]}
    duration_attr = getattr(spec, "duration_attr", None)
    if audio is not None and duration_attr:
        old = getattr(obj, duration_attr)
        if old != audio.duration_seconds:
            setattr(obj, duration_attr, audio.duration_seconds)
            record_changes[duration_attr] = [old, audio.duration_seconds]
    session.flush()
    audit.record(session, "media.uploaded", actor=user, target=obj, changes=record_changes,
                 details={"kind": spec.kind, "content_type": content_type, "size_bytes": size,
                          "sha256": sha256, **({"codec": audio.codec,
                                                "duration_ms": audio.duration_ms,
                                                "bitrate": audio.bitrate,
                                                "sample_rate": audio.sample_rate,
                                                "channels": audio.channels} if audio else {}),
                          **({"width": image.width, "height": image.height} if image else {})})
    return Attached(row, _duplicates(session, spec, obj, row))


def _duplicates(session: Session, spec: MediaField, obj: Model, row: MediaFile) -> list[str]:
    if row.owner_user_id is None:
        return []
    model = type(obj)
    stmt = (select(model).join(MediaFile, MediaFile.owner_id == model.id)
            .where(MediaFile.owner_table == model.__tablename__, MediaFile.kind == spec.kind,
                   MediaFile.sha256 == row.sha256, MediaFile.owner_user_id == row.owner_user_id,
                   live(MediaFile), MediaFile.id != row.id,
                   live(model))
            .order_by(model.id).limit(5))
    return [str(other) for other in session.scalars(stmt)]


def remove(session: Session, changes: ObjectChanges, spec: MediaField, obj: Model,
           user: User) -> bool:
    """Detach ``obj``'s ``spec`` file; its objects go once the caller has committed."""
    row = current_media(session, obj, [spec.kind]).get(spec.kind)
    if row is None:
        return False
    changes.obsolete.extend(k for k in (row.storage_key, row.thumbnail_key) if k)
    before = _describe(row)
    session.delete(row)
    session.flush()
    audit.record(session, "media.removed", actor=user, target=obj,
                 changes={spec.kind: [before, None]},
                 details={"kind": spec.kind, "sha256": row.sha256})
    return True


def _describe(row: MediaFile | None) -> str | None:
    if row is None:
        return None
    return f"{row.original_name} ({row.content_type}, {row.size_bytes} bytes, sha256 " \
           f"{row.sha256[:12]}…)"


def _clean_name(filename: str) -> str:
    """The uploaded name, for display only (never a path or a type): printable, ≤ 255."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF)
    return name.strip()[:255] or "upload"


# --- purge: a hard-deleted owner takes its media with it -------------------------------------
PENDING_KEY = "media_obsolete_keys"
# Tables of the sections that declare media (filled by ``webadmin.media.init_app``).
OWNER_TABLES: set[str] = set()


def drop_media_of(session: Session, obj: Any) -> None:
    """``obj`` is being deleted for good (a purge, not a soft delete): its media rows go in
    this transaction and its objects once the transaction commits. The purge path calls it
    before its DELETE statement; an ORM ``session.delete`` gets it from the flush below."""
    if getattr(obj, "__tablename__", None) not in OWNER_TABLES:
        return
    for row in current_media(session, obj).values():
        session.info.setdefault(PENDING_KEY, []).extend(
            k for k in (row.storage_key, row.thumbnail_key) if k)
        session.delete(row)


@event.listens_for(Session, "before_flush")
def _drop_media_of_purged_rows(session: Session, _context: Any, _instances: Any) -> None:
    for obj in list(session.deleted):
        drop_media_of(session, obj)


@event.listens_for(Session, "after_commit")
def _delete_objects_of_purged_rows(session: Session) -> None:
    keys = session.info.pop(PENDING_KEY, None)
    if not keys:
        return
    from flask import has_app_context

    from .storage import get_storage

    if has_app_context():
        _delete_quietly(get_storage(), keys)
    else:
        log.warning("media: %d purged objects left for the sweep (no app context)", len(keys))


@event.listens_for(Session, "after_rollback")
def _forget_purged_objects(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)
