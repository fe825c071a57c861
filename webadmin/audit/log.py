"""Reading the audit log: filters from the query string, and entries in words (a change's
words come from ``webadmin/admin/changes.py``, the same as each row's history page).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from flask import url_for
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from ..admin.changes import describe_changes
from ..admin.site import site
from ..admin.text import clean_text, display
from ..models import AuditEvent, User
from ..services.audit import ACTION_LABELS, action_label

if TYPE_CHECKING:
    from ..admin.options import ModelAdmin

PER_PAGE = 50
MAX_EMAIL = 320


# --- filters ----------------------------------------------------------------------------------
def parse_date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(clean_text(raw)[:10]) if raw else None
    except ValueError:
        return None


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def actor_ids(session: Session, email: str) -> list[int]:
    """Every account (live or deleted) that signed in with ``email``."""
    return list(session.scalars(select(User.id).where(
        func.lower(User.email) == email.lower())))


@dataclass
class LogFilters:
    actor: str = ""
    action: str = ""
    section: str = ""
    row: str = ""
    date_from: date | None = None
    date_to: date | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return bool(self.actor or self.action or self.section or self.row or self.date_from
                    or self.date_to)

    def query_args(self) -> dict[str, str]:
        values = {"actor": self.actor, "action": self.action, "section": self.section,
                  "row": self.row,
                  "from": self.date_from.isoformat() if self.date_from else "",
                  "to": self.date_to.isoformat() if self.date_to else ""}
        return {key: value for key, value in values.items() if value}


def parse_filters(args: MultiDict[str, str]) -> LogFilters:
    """Unknown values are dropped (and said), never passed to SQL."""
    filters = LogFilters()
    filters.actor = clean_text(args.get("actor", "")).strip()[:MAX_EMAIL]
    action = clean_text(args.get("action", ""))
    if action in known_actions():
        filters.action = action
    elif action:
        filters.problems.append("Unknown action ignored.")
    section = clean_text(args.get("section", ""))
    if section and section_admin(section) is not None:
        filters.section = section
    elif section:
        filters.problems.append("Unknown section ignored.")
    row = clean_text(args.get("row", "")).strip()
    if row:
        try:
            filters.row = str(uuid.UUID(row[:64]))
        except ValueError:
            filters.problems.append("The row filter takes a row id (from a history page).")
    filters.date_from = parse_date(args.get("from"))
    filters.date_to = parse_date(args.get("to"))
    if args.get("from") and filters.date_from is None or \
            args.get("to") and filters.date_to is None:
        filters.problems.append("Dates are written YYYY-MM-DD.")
    return filters


def known_actions() -> dict[str, str]:
    return dict(sorted(((key, label) for key, label in ACTION_LABELS.items()),
                       key=lambda item: item[1]))


def section_admin(name: str) -> ModelAdmin | None:
    return site.get(name)


def filtered_log(session: Session, filters: LogFilters) -> Select[Any]:
    """The log's query: each filter is a leading column of an (…, occurred_at, id) index."""
    stmt = select(AuditEvent)
    if filters.actor:
        ids = actor_ids(session, filters.actor)
        stmt = stmt.where(AuditEvent.actor_user_id.in_(ids)) if ids else \
            stmt.where(AuditEvent.actor_label == filters.actor)  # an account purged since
    if filters.action:
        stmt = stmt.where(AuditEvent.action == filters.action)
    if filters.section:
        admin = section_admin(filters.section)
        assert admin is not None
        stmt = stmt.where(AuditEvent.target_type == admin.model_cls.__tablename__)
    if filters.row:
        stmt = stmt.where(AuditEvent.target_public_id == filters.row)
    if filters.date_from:
        stmt = stmt.where(AuditEvent.occurred_at >= day_start(filters.date_from))
    if filters.date_to:
        stmt = stmt.where(AuditEvent.occurred_at < day_start(filters.date_to + timedelta(days=1)))
    return stmt


# --- entries in words -------------------------------------------------------------------------
def history_url(event: AuditEvent) -> str | None:
    admin = site.admin_for(event.target_type) if event.target_type else None
    if admin is None or not event.target_public_id:
        return None
    return url_for(f"{admin.name}.history", public_id=event.target_public_id)


def describe(event: AuditEvent) -> dict[str, Any]:
    admin = site.admin_for(event.target_type) if event.target_type else None
    details = {key: value for key, value in (event.details or {}).items()
               if key not in {"deletion"}}
    return {
        "event": event,
        "action": action_label(event.action),
        "section": admin.label if admin is not None else (event.target_type or ""),
        "changes": describe_changes(admin, event.changes,
                                    admin.history_fields_hidden if admin else frozenset()),
        "details": [(key.replace("_", " ").capitalize(), display_detail(value))
                    for key, value in details.items()],
        "history_url": history_url(event),
        "row_url": url_for("audit.log", row=event.target_public_id)
        if event.target_public_id else None,
    }


def display_detail(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{display(v)} {k}" if isinstance(v, int) else f"{k}: {display(v)}"
                         for k, v in value.items())
    return display(value)


CSV_HEADER = ("occurred_at", "actor", "action", "section", "row_id", "row", "changes",
              "details", "client_ip", "request_id")


def csv_row(event: AuditEvent) -> Iterator[Any]:
    admin = site.admin_for(event.target_type) if event.target_type else None
    yield event.occurred_at.isoformat()
    yield event.actor_label
    yield event.action
    yield admin.name if admin is not None else (event.target_type or "")
    yield event.target_public_id or ""
    yield event.target_label
    yield json.dumps(event.changes, ensure_ascii=False) if event.changes else ""
    yield json.dumps(event.details, ensure_ascii=False) if event.details else ""
    yield event.client_ip or ""
    yield event.request_id or ""
