from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Uuid, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow

JSON_TYPE = JSON().with_variant(JSONB(), "postgresql")


class AuditEvent(Base):
    """One append-only entry of who did what, when, from where.

    Deliberately not a ``Model``: entries are never edited or soft-deleted, so they carry no
    ``updated_at``, ``deleted_at`` or ``version_id``. ``changes`` holds before/after values for
    data writes (``{"field": [before, after]}``); ``details`` holds context. Neither ever holds a
    password, a hash or a secret.
    """

    __tablename__ = "audit_event"
    __table_args__ = (
        # Keyset paging newest first, (occurred_at, id), unfiltered and by each filter of
        # /audit/log; the target index also serves each row's history page.
        Index("ix_audit_event_occurred", "occurred_at", "id"),
        Index("ix_audit_event_target", "target_type", "target_public_id", "occurred_at", "id"),
        Index("ix_audit_event_type_occurred", "target_type", "occurred_at", "id"),
        Index("ix_audit_event_actor_occurred", "actor_user_id", "occurred_at", "id"),
        Index("ix_audit_event_action_occurred", "action", "occurred_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(Uuid, default=uuid.uuid4, unique=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    # No foreign key on purpose: entries outlive the account (purge) and are never updated,
    # so an ON DELETE SET NULL would rewrite history (and the append-only trigger refuses it).
    # ``actor_label`` keeps the email that was signed in.
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    actor_label: Mapped[str] = mapped_column(String(320), default="")
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str | None] = mapped_column(String(64))
    target_public_id: Mapped[str | None] = mapped_column(String(64))
    target_label: Mapped[str] = mapped_column(String(300), default="")
    client_ip: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON_TYPE)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON_TYPE)

    def __repr__(self) -> str:
        return f"<AuditEvent {self.action} {self.target_type}:{self.target_public_id}>"
