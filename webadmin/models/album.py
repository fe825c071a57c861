from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model
from .sql import live_only

if TYPE_CHECKING:
    from .song import Song
    from .user import User


class Album(Model):
    """A singer's album. Songs point at (id, artist_user_id), so a song's album is always one of
    its own artist's albums — enforced by the database, not only by the form."""

    __tablename__ = "album"
    __table_args__ = (
        UniqueConstraint("id", "artist_user_id", name="uq_album_id_artist"),
        CheckConstraint("length(title) >= 1", name="title_not_empty"),
        Index("ix_album_live_created", "created_at", "id", **live_only()),
        Index("ix_album_live_title", "title", "id", **live_only()),
        Index("ix_album_live_release", "release_date", "id", **live_only()),
        Index("ix_album_live_artist_created", "artist_user_id", "created_at", "id",
              **live_only()),
    )

    title: Mapped[str] = mapped_column(String(200))
    artist_user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), index=True)
    release_date: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")

    artist: Mapped[User] = relationship()
    songs: Mapped[list[Song]] = relationship(
        back_populates="album", primaryjoin="Album.id == Song.album_id",
        foreign_keys="Song.album_id", order_by="Song.track_number")

    def __str__(self) -> str:
        return self.title


Index("uq_album_artist_title_live", Album.artist_user_id, func.lower(Album.title), unique=True,
      **live_only())
