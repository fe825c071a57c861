"""Small text helpers shared by queries, forms and exports."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

CSV_DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def clean_text(value: str | None) -> str:
    """Query-string text made safe to bind: no NUL characters (PostgreSQL refuses them)."""
    return (value or "").replace("\x00", "")


def escape_like(term: str) -> str:
    """Escape LIKE wildcards so a user's % or _ matches itself (escape character: backslash)."""
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def json_safe(value: Any) -> Any:
    """A value as JSON can hold it: dates, decimals, enums and UUIDs become strings."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    return str(value)


def display(value: Any) -> str:
    """How a value reads in a list cell or a diff."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, enum.Enum):
        label = getattr(value, "label", None)  # models.enums.LabelledEnum
        return label if isinstance(label, str) else str(value.value).replace("_", " ").capitalize()
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else display(value) if not isinstance(value, str) else value
    if text == "—" and value is None:
        text = ""
    if text.startswith(CSV_DANGEROUS_PREFIXES):
        return "'" + text
    return text
