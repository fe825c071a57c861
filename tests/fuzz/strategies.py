"""What an attacker's client can send: text with NUL bytes and lone surrogates (percent-encoded as
a raw client would, and as JSON escapes inside cursors, JSON values and uploaded files), huge
strings, negative and huge numbers, malformed dates and ids, unknown keys."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

from hypothesis import strategies as st

SPECIAL = [
    "", " ", "\x00", "a\x00b", "\ud800", "\udfff", "x\ud800y", "\udbff\udc00",
    '["\\ud800"]', '{"k": "\\udfff"}', '"\\u0000"', '{"a": [1, {"b": null}]}', "[" * 40,
    "%", "_", "\\", "'", '"', "%00", "<script>alert(1)</script>", "=cmd|' /C calc'!A0",
    "-1", "0", "-0", "1e309", "NaN", "Infinity", "null", "true", "1.5", "-99999999999",
    "9223372036854775808", "-9223372036854775809", "99999999999999999999999999999",
    "2024-02-30", "0000-00-00", "99999-01-01", "1970-01-01T00:00:00", "3:61", "-3:00",
    "00000000-0000-0000-0000-000000000000", "not-a-uuid", "🎵", "\u202e", "\r\n", "\t",
    "ＡＢＣ", "ß", "İ", "a" * 201, "deleted", "-created_at", "password_hash", "-id",
]

any_character = st.characters(exclude_categories=())  # includes surrogates (Cs) and NUL
numbers = st.one_of(st.integers(min_value=-(2**70), max_value=2**70).map(str),
                    st.floats(allow_nan=True, allow_infinity=True).map(repr))
huge = st.integers(min_value=1_000, max_value=120_000).map(lambda n: "x" * n)
values = st.one_of(st.sampled_from(SPECIAL), st.text(any_character, max_size=30), numbers,
                   huge)
keys = st.one_of(st.sampled_from(["", "\x00", "\ud800", "id", "version_id", "deleted_at",
                                  "role", "csrf_token", "sort", "x" * 300]),
                 st.text(any_character, min_size=1, max_size=12))
unknown_fields = st.lists(st.tuples(keys, values), max_size=2)

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**80), max_value=2**80),
              st.floats(allow_nan=False), st.text(any_character, max_size=12)),
    lambda inner: st.lists(inner, max_size=3), max_leaves=4)


def cursor_token(sort: str, value: object, row_id: object) -> str:
    raw = json.dumps([sort, value, row_id])  # lone surrogates travel as \ud800 escapes
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursors(sorts: list[str]) -> st.SearchStrategy[str]:
    """Well-formed cursors with hostile contents, and garbage."""
    forged = st.builds(cursor_token, st.one_of(st.sampled_from(sorts or [""]), values),
                       json_values,
                       st.one_of(st.integers(min_value=-(2**70), max_value=2**70), json_values))
    return st.one_of(forged, values)


def wire(text: str) -> str:
    """Percent-encode text as a raw client would: UTF-8, lone surrogates as their 3-byte
    (invalid UTF-8) sequences, NUL as %00."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def encode_pairs(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{wire(key)}={wire(value)}" for key, value in pairs)


def browser_text(text: str) -> str:
    """What a browser sends for text it cannot encode: lone surrogates become U+FFFD."""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def upload_body(entries: list[tuple[str, object]], fmt: str) -> bytes:
    """An import file: JSON with \\u escapes (surrogates, NUL) or CSV with raw bytes."""
    if fmt == "csv":
        lines = ["key,value"] + [f"{key},{value}" for key, value in entries]
        return "\n".join(lines).encode("utf-8", "surrogatepass")
    return json.dumps(dict(entries)).encode()


upload_entries = st.lists(st.tuples(st.one_of(st.sampled_from(["a.b", "", " k "]), values),
                                    st.one_of(values, json_values)), max_size=4)
