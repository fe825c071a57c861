from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    SmallInteger,
    String,
    Text,
    Uuid,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model
from .enums import SongStatus, enum_column_type
from .sql import LIVE_ROWS, live_only

if TYPE_CHECKING:
    from .album import Album
    from .genre import Genre
    from .user import User

MAX_DURATION_SECONDS = 24 * 60 * 60
MAX_TRACK_NUMBER = 999


class Song(Model):
    __tablename__ = "song"
    __table_args__ = (
        # NULLs never collide in a unique index, so songs without an ISRC are fine.
        Index("uq_song_isrc_live", "isrc", unique=True, **live_only()),
        CheckConstraint(f"duration_seconds > 0 AND duration_seconds <= {MAX_DURATION_SECONDS}",
                        name="duration_positive"),
        CheckConstraint("isrc IS NULL OR length(isrc) = 12", name="isrc_length"),
        CheckConstraint("length(title) >= 1", name="title_not_empty"),
        # A song's album is one of its artist's albums: the key includes the artist.
        ForeignKeyConstraint(["album_id", "artist_user_id"],
                             ["album.id", "album.artist_user_id"], ondelete="RESTRICT"),
        CheckConstraint(f"track_number IS NULL OR (track_number >= 1 AND track_number <= "
                        f"{MAX_TRACK_NUMBER})", name="track_number_range"),
        # One song per track number on an album; also the album page's ordered read.
        Index("uq_song_album_track_live", "album_id", "track_number", unique=True,
              **live_only()),
        # Keyset paging: every sortable column paired with id, live rows only.
        Index("ix_song_live_created", "created_at", "id", **live_only()),
        Index("ix_song_live_title", "title", "id", **live_only()),
        Index("ix_song_live_release", "release_date", "id", **live_only()),
        Index("ix_song_live_duration", "duration_seconds", "id", **live_only()),
        Index("ix_song_live_artist_created", "artist_user_id", "created_at", "id", **live_only()),
        Index("ix_song_live_genre_created", "genre_id", "created_at", "id", **live_only()),
        Index("ix_song_live_status_created", "status", "created_at", "id", **live_only()),
        # Sorting by artist or genre name reads each artist's/genre's songs in id order.
        Index("ix_song_live_artist_id", "artist_user_id", "id", **live_only()),
        Index("ix_song_live_genre_id", "genre_id", "id", **live_only()),
    )

    title: Mapped[str] = mapped_column(String(200))
    artist_user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), index=True)
    genre_id: Mapped[int] = mapped_column(ForeignKey("genre.id", ondelete="RESTRICT"), index=True)
    duration_seconds: Mapped[int]
    release_date: Mapped[date | None] = mapped_column(Date)
    isrc: Mapped[str | None] = mapped_column(String(12))
    is_explicit: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    status: Mapped[SongStatus] = mapped_column(
        enum_column_type(SongStatus, "song_status"), default=SongStatus.draft,
        server_default=SongStatus.draft.value)
    lyrics: Mapped[str] = mapped_column(Text, default="")
    album_id: Mapped[int | None] = mapped_column(default=None)
    track_number: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    # Which CSV import created the song (its audit entry names the same id); None: typed in.
    import_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)

    artist: Mapped[User] = relationship(back_populates="songs")
    genre: Mapped[Genre] = relationship(back_populates="songs")
    # Joined on album_id alone: the artist comes from ``artist``; the composite key only checks.
    album: Mapped[Album | None] = relationship(
        back_populates="songs", primaryjoin="Song.album_id == Album.id",
        foreign_keys=[album_id])

    def __str__(self) -> str:
        return self.title


Index("uq_song_artist_title_live", Song.artist_user_id, func.lower(Song.title), unique=True,
      **live_only())

# Substring search (ILIKE '%term%') must not read a million rows: trigram GIN indexes, on
# PostgreSQL only (SQLite has no equivalent; its catalogues are laptop-sized).
for _column in (Song.title, Song.isrc):
    Index(f"ix_song_live_{_column.key}_trgm", _column, postgresql_using="gin",
          postgresql_ops={_column.key: "gin_trgm_ops"}, postgresql_where=LIVE_ROWS,
          info={"only_on": "postgresql"}).ddl_if(dialect="postgresql")
