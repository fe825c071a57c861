"""Typed configuration values: parse what a person typed, keep a canonical text form.

``SystemConfig.value`` is text; ``value_type`` says how to read it. Every save goes through
``normalize_value`` so the stored text always parses as its type (a type change re-validates).
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..admin.text import unstorable_reason
from ..models import ConfigValueType

INT_MIN, INT_MAX = -(2**63), 2**63 - 1
MAX_STRING_LENGTH = 10_000
MAX_JSON_BYTES = 64 * 1024
MAX_JSON_DEPTH = 32
INT_PATTERN = re.compile(r"[+-]?[0-9]+", re.ASCII)
TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})


class ConfigValueError(ValueError):
    pass


def _check_text(raw: str, what: str = "value") -> None:
    if reason := unstorable_reason(raw):
        raise ConfigValueError(f"The {what} contains {reason}, which can't be stored.")


def _json_depth(value: Any, depth: int = 0) -> int:
    if depth > MAX_JSON_DEPTH:
        return depth
    if isinstance(value, dict):
        return max((_json_depth(v, depth + 1) for v in value.values()), default=depth + 1)
    if isinstance(value, list):
        return max((_json_depth(v, depth + 1) for v in value), default=depth + 1)
    return depth


def _reject_constant(name: str) -> Any:
    raise ConfigValueError(f"{name} is not valid JSON; use null or a number.")


def normalize_value(value_type: ConfigValueType, raw: str) -> str:
    """The canonical stored text for ``raw`` read as ``value_type``; ConfigValueError if bad."""
    raw = raw if raw is not None else ""
    _check_text(raw)
    if value_type is ConfigValueType.bool:
        word = raw.strip().lower()
        if word in TRUE_WORDS:
            return "true"
        if word in FALSE_WORDS:
            return "false"
        raise ConfigValueError("Choose true or false.")
    if value_type is ConfigValueType.int:
        text = raw.strip().replace("_", "")
        if len(text) > 25 or not INT_PATTERN.fullmatch(text):
            raise ConfigValueError("Enter a whole number, e.g. 200.")
        number = int(text)
        if not INT_MIN <= number <= INT_MAX:
            raise ConfigValueError("The number is out of range (64-bit signed integer).")
        return str(number)
    if value_type is ConfigValueType.string:
        if len(raw) > MAX_STRING_LENGTH:
            raise ConfigValueError(f"Use at most {MAX_STRING_LENGTH:,} characters.")
        return raw
    if value_type is ConfigValueType.json:
        if len(raw.encode("utf-8", "surrogatepass")) > MAX_JSON_BYTES:
            raise ConfigValueError(f"The JSON is too large (at most {MAX_JSON_BYTES // 1024} KB).")
        if not raw.strip():
            raise ConfigValueError("Enter a JSON value, e.g. [\"pop\", \"rock\"] or {}.")
        try:
            parsed = json.loads(raw, parse_constant=_reject_constant)
        except ConfigValueError:
            raise
        except RecursionError as exc:
            raise ConfigValueError(
                f"The JSON is nested too deeply (at most {MAX_JSON_DEPTH}).") from exc
        except ValueError as exc:
            where = f" (line {exc.lineno}, column {exc.colno})" if hasattr(exc, "lineno") else ""
            raise ConfigValueError(f"This is not valid JSON{where}.") from exc
        if _json_depth(parsed) > MAX_JSON_DEPTH:
            raise ConfigValueError(f"The JSON is nested too deeply (at most {MAX_JSON_DEPTH}).")
        canonical = json.dumps(parsed, sort_keys=True, ensure_ascii=False)
        _check_text(canonical, "JSON")  # a \ud800 escape decodes to a lone surrogate
        return canonical
    raise ConfigValueError("Unknown value type.")


def display_value(value_type: ConfigValueType, stored: str) -> str:
    """What the edit form shows: JSON pretty-printed, everything else as stored."""
    if value_type is ConfigValueType.json:
        try:
            return json.dumps(json.loads(stored), indent=2, sort_keys=True, ensure_ascii=False)
        except ValueError:
            return stored
    return stored


def short_value(value_type: ConfigValueType, stored: str, limit: int = 80) -> str:
    """One line for the list column."""
    text = stored.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"
