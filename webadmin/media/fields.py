"""Media declared on a ModelAdmin, as data::

    class SongAdmin(ModelAdmin):
        media = (AudioField(), ImageField())

Any section can declare them (albums: ``media = (ImageField(owner_user="artist_user_id"),)``);
the upload, serving and removal routes, the edit-page widgets and the purge clean-up follow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import url_for
from markupsafe import Markup

from .probe import AUDIO_HINT, IMAGE_HINT


@dataclass(frozen=True)
class MediaField:
    kind: str
    label: str
    hint: str
    accept: str
    # Attribute of the owner row naming the person it belongs to (a song's artist): the
    # "same recording uploaded twice" check looks among that person's rows.
    owner_user: str | None = None

    @property
    def size_setting(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class AudioField(MediaField):
    kind: str = "audio"
    label: str = "Audio"
    hint: str = AUDIO_HINT
    accept: str = ("audio/mpeg,audio/flac,audio/ogg,audio/opus,audio/mp4,audio/x-m4a,audio/wav,"
                   "audio/x-wav,.mp3,.flac,.ogg,.oga,.opus,.m4a,.wav")
    owner_user: str | None = "artist_user_id"
    # The owner's attribute set from the file's duration (seconds), None for none.
    duration_attr: str | None = "duration_seconds"

    @property
    def size_setting(self) -> str:
        return "MEDIA_MAX_AUDIO_BYTES"


@dataclass(frozen=True)
class ImageField(MediaField):
    kind: str = "cover"
    label: str = "Cover art"
    hint: str = IMAGE_HINT
    accept: str = "image/jpeg,image/png,image/webp,.jpg,.jpeg,.png,.webp"
    owner_user: str | None = "artist_user_id"

    @property
    def size_setting(self) -> str:
        return "MEDIA_MAX_IMAGE_BYTES"


def media_fields(admin: Any) -> Sequence[MediaField]:
    """The media a section declares (none by default)."""
    return tuple(getattr(admin, "media", ()) or ())


def media_field(admin: Any, kind: str) -> MediaField | None:
    return next((field for field in media_fields(admin) if field.kind == kind), None)


def check_declaration(admin: Any) -> None:
    """Fail at start, not at the first upload, on a misdeclared ``media``."""
    model = admin.model_cls
    seen: set[str] = set()
    for field in media_fields(admin):
        if not isinstance(field, MediaField):
            raise TypeError(f"{type(admin).__name__}.media: {field!r} is not a media field")
        if field.kind in seen:
            raise TypeError(f"{type(admin).__name__}.media: kind {field.kind!r} twice")
        seen.add(field.kind)
        for attr in (field.owner_user, getattr(field, "duration_attr", None)):
            if attr is not None and attr not in model.__table__.c:
                raise TypeError(f"{type(admin).__name__}.media: {model.__name__} has no "
                                f"column {attr!r}")


LIST_THUMBNAIL_EDGE = 40  # CSS px in list rows


def thumbnail_cell(admin: Any, obj: Any) -> Any:
    """A list cell: the row's cover thumbnail, lazily loaded at its list size (declare
    ``Column("cover", "Cover")``: ``ModelAdmin.cover`` calls this, the list loads cover_media)."""
    row = obj.cover_media
    if row is None or not row.thumbnail_key or not row.thumbnail_width:
        return ""
    scale = LIST_THUMBNAIL_EDGE / max(row.thumbnail_width, row.thumbnail_height)
    url = url_for("media.serve", section=admin.name, public_id=obj.public_id, kind="thumbnail")
    return Markup('<img class="list-thumbnail" src="{}" width="{}" height="{}" loading="lazy" '
                  'alt="">').format(url, max(1, round(row.thumbnail_width * scale)),
                                    max(1, round(row.thumbnail_height * scale)))


# What the cell reads (the list joins just these columns of the cover: webadmin/admin/query.py).
thumbnail_cell.reads = {  # type: ignore[attr-defined]
    "cover_media": ("thumbnail_key", "thumbnail_width", "thumbnail_height")}
