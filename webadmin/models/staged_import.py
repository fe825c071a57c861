from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .audit import JSON_TYPE
from .base import Base, utcnow


class StagedImport(Base):
    """A checked localization import waiting for its uploader's confirmation.

    Short-lived working data, not a record anyone edits: no soft delete, no version, no public
    UUID (the random ``token`` is what URLs and forms carry). Kept in the database so that any
    worker on any host can confirm what another one checked; the row is deleted in the same
    transaction that applies it, so an import is applied at most once.
    """

    __tablename__ = "staged_import"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    uploader_user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    locale: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(200), default="")
    rows: Mapped[dict[str, Any]] = mapped_column(JSON_TYPE)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
