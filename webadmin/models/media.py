"""Uploaded files (a song's audio, a cover image) as rows: where the bytes are, what they are.

One table for every section that declares media: a row belongs to (owner_table, owner_id,
kind), so albums get covers by declaring an ImageField, without a migration. The bytes live in
the configured storage under ``storage_key`` (a fresh key per upload: an upload never
overwrites the object a committed row points at).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, and_
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from .album import Album
from .base import Model, live
from .song import Song
from .sql import live_only

MEDIA_KINDS = ("audio", "cover")
COVER_RELATIONSHIP = "cover_media"  # on every model that has cover art


class MediaFile(Model):
    __tablename__ = "media_file"
    __table_args__ = (
        Index("uq_media_file_owner_kind_live", "owner_table", "owner_id", "kind", unique=True,
              **live_only()),
        Index("ix_media_file_owner_user_sha256", "owner_user_id", "sha256"),
        CheckConstraint("kind IN ('audio', 'cover')", name="kind_known"),
        CheckConstraint("size_bytes >= 0", name="size_not_negative"),
    )

    owner_table: Mapped[str] = mapped_column(String(40))
    owner_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    # The person the owner row belongs to (a song's artist): "same recording twice" is per person.
    owner_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    uploaded_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    storage_key: Mapped[str] = mapped_column(String(300), unique=True)
    thumbnail_key: Mapped[str | None] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(100))
    original_name: Mapped[str] = mapped_column(String(255), default="")
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    # audio
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    codec: Mapped[str | None] = mapped_column(String(40))
    bitrate: Mapped[int | None] = mapped_column(Integer)
    sample_rate: Mapped[int | None] = mapped_column(Integer)
    channels: Mapped[int | None] = mapped_column(Integer)
    # images
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    thumbnail_width: Mapped[int | None] = mapped_column(Integer)
    thumbnail_height: Mapped[int | None] = mapped_column(Integer)

    def __str__(self) -> str:
        return self.original_name or self.kind


def declare_media_owner(owner: type[Model]) -> None:
    """Give ``owner`` a ``cover_media`` relationship (its live cover row, or None), so lists can
    join it into their page query (``eager_loads``) instead of one query per row."""
    table = owner.__tablename__
    owner.cover_media = relationship(  # type: ignore[attr-defined]
        MediaFile, viewonly=True, uselist=False,
        primaryjoin=lambda: and_(MediaFile.owner_table == table,
                                 foreign(MediaFile.owner_id) == owner.id,
                                 MediaFile.kind == "cover", live(MediaFile)))


declare_media_owner(Song)
declare_media_owner(Album)
