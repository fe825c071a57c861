"""Small SQL fragments shared by model definitions."""

from __future__ import annotations

from sqlalchemy import text

# Partial-index predicate: natural keys are unique among live (not soft-deleted) rows only.
LIVE_ROWS = text("deleted_at IS NULL")


def live_only() -> dict[str, object]:
    """Keyword arguments making an Index partial on live rows, on both backends."""
    return {"postgresql_where": LIVE_ROWS, "sqlite_where": LIVE_ROWS}
