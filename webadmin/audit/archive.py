"""Retention without breaking append-only: entries are exported to JSON lines here; deleting
archived entries is a deliberate step of the database owner (docs/AUDIT.md), never the app's."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AuditEvent

CHUNK = 1000


def as_json(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id, "public_id": str(event.public_id),
        "occurred_at": event.occurred_at.isoformat(), "actor_user_id": event.actor_user_id,
        "actor_label": event.actor_label, "action": event.action,
        "target_type": event.target_type, "target_public_id": event.target_public_id,
        "target_label": event.target_label, "client_ip": event.client_ip,
        "request_id": event.request_id, "changes": event.changes, "details": event.details,
    }


def export_entries(session: Session, before: datetime, out: TextIO) -> tuple[int, int | None]:
    """Every entry with ``occurred_at < before``, oldest first, one JSON object per line, read
    in keyset chunks. Returns (entries written, id of the last one)."""
    count, last_time, last_id = 0, None, None
    while True:
        stmt = select(AuditEvent).where(AuditEvent.occurred_at < before)
        if last_time is not None:
            stmt = stmt.where((AuditEvent.occurred_at > last_time) | (
                (AuditEvent.occurred_at == last_time) & (AuditEvent.id > last_id)))
        rows = session.scalars(stmt.order_by(AuditEvent.occurred_at, AuditEvent.id)
                               .limit(CHUNK)).all()
        if not rows:
            return count, last_id
        for event in rows:
            out.write(json.dumps(as_json(event), ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
            last_time, last_id = event.occurred_at, event.id
            session.expunge(event)
