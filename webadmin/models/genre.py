from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model
from .sql import live_only

if TYPE_CHECKING:
    from .song import Song


class Genre(Model):
    __tablename__ = "genre"
    __table_args__ = (
        Index("uq_genre_slug_live", "slug", unique=True, **live_only()),
        CheckConstraint("parent_genre_id IS NULL OR parent_genre_id <> id", name="not_own_parent"),
        CheckConstraint("length(name) >= 1", name="name_not_empty"),
        CheckConstraint("length(slug) >= 1", name="slug_not_empty"),
    )

    name: Mapped[str] = mapped_column(String(100), index=True)
    slug: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    parent_genre_id: Mapped[int | None] = mapped_column(
        ForeignKey("genre.id", ondelete="RESTRICT"), index=True)

    parent: Mapped[Genre | None] = relationship(
        remote_side="Genre.id", back_populates="children")
    children: Mapped[list[Genre]] = relationship(back_populates="parent")
    songs: Mapped[list[Song]] = relationship(back_populates="genre")

    def __str__(self) -> str:
        return self.name


Index("uq_genre_name_live", func.lower(Genre.name), unique=True, **live_only())
