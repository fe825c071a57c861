"""What is soft-deleted right now, across every section, and which user action deleted it.

``Deletion`` is one press of Delete (a row and whatever its section declares to go with it, e.g.
a singer and their live songs); it stays as history. ``DeletedRow`` is one row that is deleted
*now*: written by the one soft-delete path (``ModelAdmin.soft_delete``), removed again by restore
or purge. The audit view pages this table by keyset instead of a UNION over every section table,
so a new section shows up there without a column or a query of its own.

Neither table has a foreign key to ``user_account``: both outlive the accounts they name (the
email is kept in ``actor_label``).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class Deletion(Base):
    __tablename__ = "deletion"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(Uuid, default=uuid.uuid4, unique=True)
    deleted_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    actor_label: Mapped[str] = mapped_column(String(320), default="")
    section: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(64))
    target_public_id: Mapped[str] = mapped_column(String(64))
    target_label: Mapped[str] = mapped_column(String(300), default="")
    row_count: Mapped[int] = mapped_column(Integer, default=1)  # the root and its cascade

    rows: Mapped[list[DeletedRow]] = relationship(back_populates="deletion")


class DeletedRow(Base):
    __tablename__ = "deleted_row"
    __table_args__ = (
        # A row is deleted at most once at a time.
        Index("uq_deleted_row_target", "target_type", "target_id", unique=True),
        # Keyset paging of /audit/ (newest first) and of each of its filters.
        Index("ix_deleted_row_root_deleted", "deleted_at", "id",
              postgresql_where=text("is_root"), sqlite_where=text("is_root")),
        Index("ix_deleted_row_section_deleted", "section", "deleted_at", "id"),
        Index("ix_deleted_row_actor_deleted", "actor_user_id", "deleted_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deletion_id: Mapped[int] = mapped_column(ForeignKey("deletion.id", ondelete="RESTRICT"),
                                             index=True)
    section: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(64))
    target_id: Mapped[int] = mapped_column(Integer)
    target_public_id: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(300), default="")
    is_root: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(Integer)

    deletion: Mapped[Deletion] = relationship(back_populates="rows")
