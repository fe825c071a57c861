"""Import and export of one locale's strings as JSON ({"key": "value"}) or CSV (key,value).

Import is two steps: ``parse_upload`` reads and checks the whole file and returns every row-level
problem (line number and reason); only a file without problems reaches ``apply_import``, which
writes all rows in the caller's transaction. Nothing is ever half-written.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..admin.csvfile import csv_lines
from ..admin.text import CSV_DANGEROUS_PREFIXES, csv_cell, unstorable_reason
from ..models import LocalizationString, User, live
from ..services import audit

MAX_IMPORT_BYTES = 1024 * 1024
MAX_IMPORT_ROWS = 20_000
MAX_KEY_LENGTH = 200
MAX_VALUE_LENGTH = 10_000
FORMATS = ("json", "csv")
LOCALE_PATTERN = re.compile(r"[a-z]{2,3}(?:-[A-Z]{2})?", re.ASCII)
# Cells a spreadsheet would run as a formula. Exported CSV cells starting with one of these get
# a leading apostrophe; import removes exactly that apostrophe again, so a round trip is exact.
FORMULA_PREFIXES = CSV_DANGEROUS_PREFIXES  # what csv_cell quotes, unquoted on import
WRITE_CHUNK = 500


def is_valid_locale(code: str | None) -> bool:
    return bool(code) and LOCALE_PATTERN.fullmatch(code) is not None


@dataclass(frozen=True)
class RowError:
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}" if self.line else self.message


@dataclass
class ParsedUpload:
    rows: dict[str, str] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def _decode(data: bytes, result: ParsedUpload) -> str | None:
    """UTF-8 (a BOM is allowed); every line that is not valid UTF-8 is reported."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        for number, line in enumerate(data.split(b"\n"), start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                result.errors.append(RowError(number, "not valid UTF-8 text"))
                if len(result.errors) >= 50:
                    break
        return None


def _check_row(result: ParsedUpload, line: int, key: object, value: object,
               first_line: dict[str, int]) -> None:
    if not isinstance(key, str) or not key.strip():
        result.errors.append(RowError(line, "the key is empty"))
        return
    key = key.strip()
    problems: list[str] = []
    if len(key) > MAX_KEY_LENGTH:
        problems.append(f"the key is longer than {MAX_KEY_LENGTH} characters")
    if any(ord(ch) < 32 for ch in key):
        problems.append("the key contains a NUL byte or another control character"
                        if "\x00" in key else "the key contains a control character")
    elif reason := unstorable_reason(key):
        problems.append(f"the key contains {reason}")
    if not isinstance(value, str):
        problems.append("the value must be text (a JSON string)")
    elif reason := unstorable_reason(value):
        problems.append(f"the value contains {reason}")
    elif len(value) > MAX_VALUE_LENGTH:
        problems.append(f"the value is longer than {MAX_VALUE_LENGTH:,} characters")
    if key in first_line:
        problems.append(f"duplicate key “{key[:80]}” (first on line {first_line[key]})")
    else:
        first_line[key] = line
    for problem in problems:
        result.errors.append(RowError(line, problem))
    if not problems and isinstance(value, str):
        result.rows[key] = value


def _unguard(cell: str) -> str:
    if len(cell) >= 2 and cell[0] == "'" and cell[1] in FORMULA_PREFIXES:
        return cell[1:]
    return cell


def _parse_csv(text: str, result: ParsedUpload) -> None:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    first_line: dict[str, int] = {}
    try:
        header = next(reader, None)
        if header is None:
            result.errors.append(RowError(None, "The file is empty."))
            return
        if [cell.strip().lower() for cell in header] != ["key", "value"]:
            result.errors.append(RowError(1, "the first line must be the header key,value"))
            return
        line = reader.line_num
        for row in reader:
            if not row:  # a blank line
                line = reader.line_num
                continue
            if len(row) != 2:
                result.errors.append(RowError(line + 1, f"expected 2 cells (key,value), "
                                                        f"found {len(row)}"))
            else:
                _check_row(result, line + 1, _unguard(row[0]), _unguard(row[1]), first_line)
            line = reader.line_num
            if len(first_line) > MAX_IMPORT_ROWS:
                result.errors.append(RowError(None, f"More than {MAX_IMPORT_ROWS:,} rows."))
                return
    except csv.Error as exc:
        result.errors.append(RowError(reader.line_num, f"not valid CSV ({exc})"))


_WHITESPACE = re.compile(r"[ \t\n\r]*")


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _parse_json(text: str, result: ParsedUpload) -> None:
    """A flat {"key": "value"} object, scanned entry by entry so errors carry line numbers and
    duplicate keys (which json.loads silently collapses) are caught."""
    decoder = json.JSONDecoder()
    first_line: dict[str, int] = {}
    pos = _WHITESPACE.match(text, 0).end()
    try:
        if pos >= len(text) or text[pos] != "{":
            result.errors.append(RowError(_line_of(text, pos),
                                          'the file must be one JSON object: {"key": "value"}'))
            return
        pos = _WHITESPACE.match(text, pos + 1).end()
        if text[pos:pos + 1] == "}":
            pos += 1
        else:
            while True:
                entry_line = _line_of(text, pos)
                if text[pos:pos + 1] != '"':
                    raise json.JSONDecodeError("Expected a key in double quotes", text, pos)
                key, pos = json.decoder.scanstring(text, pos + 1)
                pos = _WHITESPACE.match(text, pos).end()
                if text[pos:pos + 1] != ":":
                    raise json.JSONDecodeError("Expected ':'", text, pos)
                pos = _WHITESPACE.match(text, pos + 1).end()
                value, pos = decoder.raw_decode(text, pos)
                _check_row(result, entry_line, key, value, first_line)
                if len(first_line) > MAX_IMPORT_ROWS:
                    result.errors.append(RowError(None, f"More than {MAX_IMPORT_ROWS:,} keys."))
                    return
                pos = _WHITESPACE.match(text, pos).end()
                if text[pos:pos + 1] == ",":
                    pos = _WHITESPACE.match(text, pos + 1).end()
                    continue
                if text[pos:pos + 1] == "}":
                    pos += 1
                    break
                raise json.JSONDecodeError("Expected ',' or '}'", text, pos)
        if _WHITESPACE.match(text, pos).end() != len(text):
            raise json.JSONDecodeError("Extra data after the object", text, pos)
    except json.JSONDecodeError as exc:
        result.errors.append(RowError(exc.lineno, f"not valid JSON: {exc.msg}"))
    except RecursionError:
        result.errors.append(RowError(None, "not valid JSON: nested too deeply"))


def parse_upload(data: bytes, fmt: str) -> ParsedUpload:
    """Read a whole uploaded file; ``errors`` lists every problem found, ``rows`` the good rows."""
    result = ParsedUpload()
    if fmt not in FORMATS:
        result.errors.append(RowError(None, "Choose JSON or CSV."))
        return result
    if len(data) > MAX_IMPORT_BYTES:
        result.errors.append(RowError(None, f"The file is too large (at most "
                                            f"{MAX_IMPORT_BYTES // 1024:,} KB)."))
        return result
    text = _decode(data, result)
    if text is None:
        return result
    if not text.strip():
        result.errors.append(RowError(None, "The file is empty."))
        return result
    (_parse_csv if fmt == "csv" else _parse_json)(text, result)
    return result


def _existing_values(session: Session, locale: str,
                     keys: list[str]) -> Iterator[tuple[list[str], dict[str, LocalizationString]]]:
    """(chunk of keys, live rows of the locale among them), chunk by chunk."""
    for start in range(0, len(keys), WRITE_CHUNK):
        chunk = keys[start:start + WRITE_CHUNK]
        yield chunk, {row.key: row for row in session.scalars(
            select(LocalizationString).where(
                LocalizationString.locale == locale,
                LocalizationString.key.in_(chunk),
                live(LocalizationString)))}


def preview_import(session: Session, locale: str, rows: dict[str, str]) -> ImportResult:
    """What ``apply_import`` would do, without writing."""
    created = updated = unchanged = 0
    for chunk, existing in _existing_values(session, locale, sorted(rows)):
        for key in chunk:
            row = existing.get(key)
            if row is None:
                created += 1
            elif row.value != rows[key]:
                updated += 1
            else:
                unchanged += 1
    return ImportResult(created=created, updated=updated, unchanged=unchanged)


def apply_import(session: Session, locale: str, rows: dict[str, str], *,
                 actor: User | None = None, source: str = "") -> ImportResult:
    """Upsert ``rows`` into ``locale`` through the ORM (version_id and updated_at move as with
    any edit), with one audit entry per string created or changed (old and new value), as a
    form edit would write. Runs in the caller's transaction; the caller commits once."""
    created = updated = unchanged = 0
    details = {"import": source} if source else None
    for chunk, existing in _existing_values(session, locale, sorted(rows)):
        written: list[tuple[LocalizationString, dict[str, list[str | None]]]] = []
        for key in chunk:
            row = existing.get(key)
            if row is None:
                row = LocalizationString(key=key, locale=locale, value=rows[key])
                session.add(row)
                written.append((row, {"key": [None, key], "locale": [None, locale],
                                      "value": [None, rows[key]]}))
                created += 1
            elif row.value != rows[key]:
                written.append((row, {"value": [row.value, rows[key]]}))
                row.value = rows[key]
                updated += 1
            else:
                unchanged += 1
        session.flush()
        for row, changes in written:
            audit.record(session, "record.created" if changes.get("key") else "record.updated",
                         actor=actor, target=row, target_label=str(row), changes=changes,
                         details=details)
    return ImportResult(created=created, updated=updated, unchanged=unchanged)


def guard_cell(value: str) -> str:
    """Neutralise a CSV cell a spreadsheet would evaluate as a formula (as every export does)."""
    return csv_cell(value)


def locale_rows(session: Session, locale: str) -> Iterator[tuple[str, str]]:
    """(key, value) of a locale's live strings by key, read in keyset chunks."""
    after: str | None = None
    while True:
        statement = (select(LocalizationString.key, LocalizationString.value)
                     .where(LocalizationString.locale == locale,
                            live(LocalizationString))
                     .order_by(LocalizationString.key).limit(WRITE_CHUNK))
        if after is not None:
            statement = statement.where(LocalizationString.key > after)
        batch = session.execute(statement).all()
        yield from ((key, value) for key, value in batch)
        if len(batch) < WRITE_CHUNK:
            return
        after = batch[-1][0]


def export_csv(session: Session, locale: str) -> Iterator[str]:
    return csv_lines(["key", "value"], locale_rows(session, locale))


def export_json(session: Session, locale: str) -> Iterator[str]:
    yield "{"
    separator = "\n"
    for key, value in locale_rows(session, locale):
        yield f"{separator}  {json.dumps(key, ensure_ascii=False)}: " \
              f"{json.dumps(value, ensure_ascii=False)}"
        separator = ",\n"
    yield "\n}\n"
