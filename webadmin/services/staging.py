"""Checked imports waiting for confirmation.

Between "preview" and "confirm" the checked rows wait in the ``staged_import`` table under a
random token, readable only by the person who uploaded them, so any worker on any host can
confirm them. ``consume`` deletes the row in the transaction that applies it: an import is
applied at most once, even when Confirm is pressed twice. Rows older than ``MAX_AGE`` are swept
whenever someone stages a new import. Nothing reaches the strings before the confirmation.
The functions never commit; the views do.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import StagedImport as StagedRow
from ..models import utcnow

MAX_AGE = timedelta(hours=1)
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}")


@dataclass(frozen=True)
class StagedImport:
    locale: str
    rows: dict[str, str]
    user_id: int
    filename: str


def stage(session: Session, staged: StagedImport) -> str:
    """Keep the checked rows for their uploader; returns the token the preview form carries."""
    session.execute(delete(StagedRow).where(StagedRow.created_at < utcnow() - MAX_AGE))
    token = secrets.token_urlsafe(32)
    session.add(StagedRow(token=token, uploader_user_id=staged.user_id, locale=staged.locale,
                          filename=staged.filename, rows=staged.rows))
    session.flush()
    return token


def _find(session: Session, token: str, user_id: int, *, lock: bool) -> StagedRow | None:
    if not TOKEN_PATTERN.fullmatch(token or ""):
        return None
    stmt = select(StagedRow).where(StagedRow.token == token,
                                   StagedRow.uploader_user_id == user_id,
                                   StagedRow.created_at >= utcnow() - MAX_AGE)
    if lock:  # PostgreSQL: a second Confirm waits here, then finds the row gone
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


def load(session: Session, token: str, user_id: int, *, lock: bool = False) -> StagedImport | None:
    """The staged import, if the token is known, fresh and belongs to ``user_id``."""
    row = _find(session, token, user_id, lock=lock)
    if row is None:
        return None
    return StagedImport(locale=row.locale, rows=dict(row.rows), user_id=row.uploader_user_id,
                        filename=row.filename)


def discard(session: Session, token: str) -> None:
    """Forget the staged import (applied or canceled), in the caller's transaction."""
    if TOKEN_PATTERN.fullmatch(token or ""):
        session.execute(delete(StagedRow).where(StagedRow.token == token))
