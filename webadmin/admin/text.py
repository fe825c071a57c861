"""Small text helpers shared by queries, forms and exports."""

from __future__ import annotations

import enum
import re
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

CSV_DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# What no column of ours can hold: NUL (PostgreSQL's text refuses it; SQLite would keep it, but
# a value must mean the same on both backends) and lone UTF-16 surrogates (a JSON escape such as
# \ud800 decodes to one; neither driver can encode it as UTF-8).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
NUL_CHARACTER = "a NUL byte"
LONE_SURROGATE = "an invalid character (a lone UTF-16 surrogate)"


def unstorable_reason(value: str) -> str | None:
    """Why the database can't store ``value`` ("a NUL byte", …), or None if it can.

    The one check for text entering the app: the request guard (webadmin/inputs.py) runs it on
    query strings, form fields and file names; the JSON decoders (list cursors, JSON config
    values, imported localization files) run it on what they decoded."""
    match = _UNSTORABLE.search(value)
    if match is None:
        return None
    return NUL_CHARACTER if match.group() == "\x00" else LONE_SURROGATE


def clean_text(value: str | None) -> str:
    """Query-string text made safe to bind: no NUL characters (the request guard already refuses
    them; kept as a second line for callers outside a request)."""
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


def format_duration(seconds: int | None) -> str:
    """Seconds as "m:ss" or "h:mm:ss" (a song's length, an uploaded recording's)."""
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_duration_ms(duration_ms: int) -> str:
    """Milliseconds (a probed recording) as a duration, never "0:00" for a short one."""
    return format_duration(max(1, round(duration_ms / 1000)))


def csv_cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else display(value) if not isinstance(value, str) else value
    if text == "—" and value is None:
        text = ""
    if text.startswith(CSV_DANGEROUS_PREFIXES):
        return "'" + text
    return text
