"""Small SQL fragments shared by model definitions."""

from __future__ import annotations

from sqlalchemy import text

# Partial-index predicate: natural keys are unique among live (not soft-deleted) rows only.
LIVE_ROWS = text("deleted_at IS NULL")


def live_only() -> dict[str, object]:
    """Keyword arguments making an Index partial on live rows, on both backends."""
    return {"postgresql_where": LIVE_ROWS, "sqlite_where": LIVE_ROWS}


def belongs_to_dialect(obj: object, dialect_name: str) -> bool:
    """False for schema objects declared for another dialect only (``info={"only_on": …}``)."""
    only_on = getattr(obj, "info", {}).get("only_on") if obj is not None else None
    return only_on is None or only_on == dialect_name
