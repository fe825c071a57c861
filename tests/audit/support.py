"""Helpers for the audit tests: entries of a row, and restore/purge through /audit/."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.helpers import Browser
from webadmin.models import AuditEvent, DeletedRow


def entries_of(session: Session, row: Any) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(
        AuditEvent.target_public_id == str(row.public_id)).order_by(AuditEvent.id)))


def key_of(section: str, row: Any) -> str:
    return f"{section}:{row.public_id}"


def audit_action(browser: Browser, verb: str, *keys: str, confirm: bool = True) -> Any:
    """Press Restore/Purge on /audit/ for ``keys`` (and Yes on the confirmation page)."""
    data: dict[str, Any] = {"ids": list(keys)}
    if confirm:
        data["confirm"] = "yes"
    return browser.submit("/audit/", data, action=f"/audit/{verb}")


def tracked(session: Session, row: Any) -> DeletedRow | None:
    return session.scalars(select(DeletedRow).where(
        DeletedRow.target_type == type(row).__tablename__,
        DeletedRow.target_id == row.id)).one_or_none()


def flashes(browser: Browser, url: str = "/audit/") -> str:
    return browser.get(url).get_data(as_text=True)
