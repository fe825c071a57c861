"""Bulk import of songs from CSV: streamed, checked row by row with the song form's own rules,
inserted in batches through Core ``insert()``.

A file is read one row at a time (never whole): each row goes through the same ``SongForm``
the add page uses (one form instance, re-filled per row) — title, duration, release date, ISRC,
status, explicit, lyrics — and its artist and genre are resolved by the same ``RelatedSource``
rules as the form's fields (public id or exact name/email, memoized per import). A song that
would break a unique rule (same artist and title, same ISRC), in the file or in the database,
is refused at its line. Every bad row is reported with its line number and the reason.

Two modes: ``all_or_nothing`` (one bad row and nothing is written) and skip (the good rows are
written, the bad ones reported). Inserted songs carry the import's id (``song.import_id``);
one audit entry, ``songs.imported``, names the same id with the counts. The functions never
commit; the caller (the page or ``flask import-songs``) does.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from sqlalchemy import or_, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from ..admin.forms import AdminForm, storable, with_article
from ..admin.text import unstorable_reason
from ..models import Song, User, UserRole, live, utcnow
from ..services import audit
from ..sources import ARTIST_SOURCE, GENRE_SOURCE
from .forms import SongForm

COLUMNS = ("title", "artist", "genre", "duration", "release_date", "isrc", "status",
           "explicit", "lyrics")
REQUIRED_COLUMNS = ("title", "genre", "duration")
TRUE_WORDS = frozenset({"yes", "y", "true", "1", "x"})
FALSE_WORDS = frozenset({"", "no", "n", "false", "0"})
BATCH_SIZE = 2000
MAX_REPORTED_ERRORS = 1000
PREVIEW_ROWS = 10
MAX_FIELD = 25_000  # a CSV field longer than the longest form value (lyrics) is an error


class ImportFileError(ValueError):
    """The file as a whole cannot be read (no header, unknown columns, not CSV/UTF-8)."""


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


@dataclass
class ImportReport:
    rows: int = 0
    valid: int = 0
    inserted: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    preview: list[dict[str, Any]] = field(default_factory=list)
    import_id: uuid.UUID | None = None

    @property
    def bad(self) -> int:
        return self.error_count

    def add_error(self, line: int, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(line, reason))


def csv_records(stream: IO[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row; the header names the columns (any order)."""
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(stream)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError("The file is empty: the first line names the columns.") from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise ImportFileError(f"This is not a readable UTF-8 CSV file ({exc}).") from None
    names = [name.strip().lower().lstrip("\ufeff") for name in header]
    unknown = [name for name in names if name not in COLUMNS]
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if unknown or missing:
        problems = []
        if unknown:
            problems.append("unknown columns: " + ", ".join(unknown))
        if missing:
            problems.append("missing columns: " + ", ".join(missing))
        raise ImportFileError("The header line is not right (" + "; ".join(problems) +
                              "). Columns: " + ", ".join(COLUMNS) + ".")
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as exc:
            yield reader.line_num, {"__error__": f"unreadable line ({exc})"}
            continue
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(names):
            yield reader.line_num, {"__error__": f"{len(values)} fields, the header has "
                                                 f"{len(names)}"}
            continue
        yield reader.line_num, dict(zip(names, values, strict=True))


RESOLVE_CHUNK = 500
# The song form's fields a CSV row fills (artist and genre are resolved in bulk per batch).
FORM_FIELDS = ("title", "duration_seconds", "release_date", "isrc", "status", "is_explicit",
               "lyrics")


class _RowData(dict[str, str]):
    """One CSV row as form data: what WTForms reads of a request's form (``in``, ``getlist``),
    without building a MultiDict per row."""

    def getlist(self, key: str) -> list[str]:
        return [self[key]] if key in self else []


def _inline_validators(form: Any, name: str) -> tuple[Any, ...]:
    """The form's ``validate_<name>`` method as an extra validator, as ``Form.validate`` adds
    it (WTForms calls it unbound: ``(form, field)``)."""
    inline = getattr(type(form), f"validate_{name}", None)
    return (inline,) if inline is not None else ()


class RowChecker:
    """Checks rows with the song form's rules; resolves artists and genres with the form
    fields' rules (``RelatedSource.match_clause``: public id or exact name/email), in bulk per
    batch and once per distinct value.

    The rules are the form's own, applied cheaply: one ``SongForm`` is built per import, and per
    row only the fields a CSV column fills are processed and validated — each through WTForms'
    own ``Field.process`` and ``Field.validate`` (filters, ``pre_validate``, the validators, the
    form's inline ``validate_<field>`` method) plus the every-form text check
    (``storable``) — instead of processing and validating the whole form (its album, track
    number, version and CSRF fields) per row. A form that adds a rule across fields (its own
    ``validate``) is checked whole per row, so no rule is ever skipped."""

    def __init__(self, session: Session, user: User | None):
        self.session, self.user = session, user
        self.form = SongForm(formdata=None, meta={"csrf": False})
        del self.form.artist  # resolved in bulk (a form field would query once per row)
        del self.form.genre
        self.fields = [(self.form[name], _inline_validators(self.form, name))
                       for name in FORM_FIELDS]
        self.whole_form = type(self.form).validate is not AdminForm.validate
        self.singer = user is not None and user.role is UserRole.singer
        self.known: dict[tuple[str, str], int | str] = {}  # (what, key) → id or the problem

    def check(self, record: dict[str, str]) -> dict[str, Any] | str:
        """The row's values (artist and genre still as typed), or the reason it is refused."""
        if "__error__" in record:
            return record["__error__"]
        explicit = record.get("explicit", "").strip().lower()
        if explicit not in TRUE_WORDS | FALSE_WORDS:
            return "explicit: write yes or no."
        formdata = _RowData({"title": record.get("title", ""),
                              "duration_seconds": record.get("duration", ""),
                              "release_date": record.get("release_date", "").strip(),
                              "isrc": record.get("isrc", ""), "lyrics": record.get("lyrics", "")})
        if record.get("status", "").strip():
            formdata["status"] = record["status"].strip().lower()
        if explicit in TRUE_WORDS:
            formdata["is_explicit"] = "y"
        form = self.form
        if self.whole_form:
            form.process(formdata=formdata)
            valid = form.validate()
        else:
            valid = True
            for field, _inline in self.fields:
                field.process(formdata)
            # The text check once for the row; per field (for the message) only when it fails.
            clean = unstorable_reason("\n".join(formdata.values())) is None
            for field, inline in self.fields:
                valid = field.validate(form, inline) and valid
                valid = (clean or storable(field)) and valid
        if not valid:
            return " ".join(f"{form[name].label.text}: {' '.join(messages)}"
                            for name, messages in form.errors.items() if messages)
        return {"title": form.title.data, "artist": record.get("artist", "").strip(),
                "genre": record.get("genre", "").strip(),
                "duration_seconds": form.duration_seconds.data,
                "release_date": form.release_date.data, "isrc": form.isrc.data or None,
                "status": form.status.data, "is_explicit": bool(form.is_explicit.data),
                "lyrics": form.lyrics.data or ""}

    def _lookup(self, what: str, source: Any, raws: set[str]) -> None:
        """Fill ``known`` for every typed value in ``raws`` not seen yet (a query per chunk)."""
        todo = sorted({raw for raw in raws if (what, raw.lower()) not in self.known})
        for raw in todo:
            if "\x00" in raw or len(raw) > 320 or not raw:
                self.known[what, raw.lower()] = (f"No {what} matches “{raw}”." if raw
                                                 else f"Choose {with_article(what)}.")
        todo = [raw for raw in todo if (what, raw.lower()) not in self.known]
        for start in range(0, len(todo), RESOLVE_CHUNK):
            chunk = todo[start:start + RESOLVE_CHUNK]
            clauses = [c for c in (source.match_clause(raw) for raw in chunk) if c is not None]
            rows = list(self.session.scalars(source.base_query(self.user).where(
                or_(*clauses)))) if clauses else []
            named = _names(source, rows)
            for raw in chunk:
                matches = named.get(_key(raw), [])
                self.known[what, raw.lower()] = (
                    matches[0].id if len(matches) == 1
                    else f"Several {what}s match “{raw}”." if matches
                    else f"No {what} matches “{raw}”.")

    def resolve(self, pending: list[tuple[int, dict[str, Any]]],
                report: ImportReport) -> list[tuple[int, dict[str, Any]]]:
        """Artist and genre ids for a batch; rows naming an unknown one go to ``report``."""
        if not self.singer:
            self._lookup("artist", ARTIST_SOURCE, {v["artist"] for _, v in pending})
        self._lookup("genre", GENRE_SOURCE, {v["genre"] for _, v in pending})
        resolved = []
        for line, values in pending:
            artist = (self.user.id if self.singer  # type: ignore[union-attr]
                      else self.known["artist", values.pop("artist").lower()])
            values.pop("artist", None)
            genre = self.known["genre", values.pop("genre").lower()]
            problems = [p for p in (artist, genre) if isinstance(p, str)]
            if problems:
                report.add_error(line, " ".join(problems))
                continue
            values["artist_user_id"], values["genre_id"] = artist, genre
            resolved.append((line, values))
        return resolved


def _key(raw: str) -> str:
    """How a typed value names a row under ``RelatedSource.match_clause``'s rule: a public id
    (any spelling ``uuid.UUID`` reads), else the value itself, case-insensitively."""
    try:
        return "id:" + str(uuid.UUID(raw))
    except ValueError:
        return raw.lower()


def _names(source: Any, rows: list[Any]) -> dict[str, list[Any]]:
    """Every key that names each row (its public id, its ``match`` column values)."""
    named: dict[str, list[Any]] = {}
    for row in rows:
        keys = {"id:" + str(row.public_id)}
        keys |= {str(getattr(row, name) or "").lower() for name in source.match}
        for key in keys:
            named.setdefault(key, []).append(row)
    return named


def checked_batches(session: Session, user: User | None, stream: IO[str], report: ImportReport,
                    batch_size: int = BATCH_SIZE) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    """Batches of (line, values) that passed the form's rules and name a known artist and
    genre; bad rows go to ``report`` with their line. A batch repeating its own artist + title
    or ISRC is caught here; repeats of earlier batches and of live songs by the insert
    (``insert_batch``), which the caller runs before asking for the next batch — so only one
    batch's keys are ever in memory."""
    checker = RowChecker(session, user)
    pending: list[tuple[int, dict[str, Any]]] = []

    def flush() -> list[tuple[int, dict[str, Any]]]:
        seen_titles: set[tuple[int, str]] = set()
        seen_isrcs: set[str] = set()
        fresh = []
        for line, values in checker.resolve(pending, report):
            title_key = (values["artist_user_id"], values["title"].lower())
            if title_key in seen_titles:
                report.add_error(line, f"An earlier line already has this artist and the "
                                       f"title “{values['title']}”.")
            elif values["isrc"] and values["isrc"] in seen_isrcs:
                report.add_error(line, f"An earlier line already uses the ISRC "
                                       f"{values['isrc']}.")
            else:
                seen_titles.add(title_key)
                if values["isrc"]:
                    seen_isrcs.add(values["isrc"])
                fresh.append((line, values))
        pending.clear()
        return fresh

    for line, record in csv_records(stream):
        report.rows += 1
        result = checker.check(record)
        if isinstance(result, str):
            report.add_error(line, result)
            continue
        pending.append((line, result))
        if len(pending) >= batch_size:
            yield flush()
    if pending:
        yield flush()
    report.errors.sort(key=lambda error: error.line)


def insert_batch(session: Session, batch: list[tuple[int, dict[str, Any]]],
                 report: ImportReport) -> list[dict[str, Any]]:
    """The batch inserted with ``ON CONFLICT DO NOTHING RETURNING public_id`` (PostgreSQL: by
    COPY through a temporary table; SQLite: Core executemany). A row colliding with a live song
    (or an earlier line of the file, already inserted in this transaction) through a unique
    index is skipped by the database itself and reported here with the reason — no lookup of
    the growing table per batch."""
    if not batch:
        return []
    now = utcnow()
    rows = [{**values, "public_id": uuid.uuid4(), "import_id": report.import_id,
             "created_at": now, "updated_at": now} for _, values in batch]
    if session.get_bind().dialect.name == "postgresql":
        inserted = _insert_through_copy(session, rows)
    else:
        table = Song.__table__
        statement = sqlite.insert(table).on_conflict_do_nothing().returning(table.c.public_id)
        inserted = set(session.execute(statement, rows).scalars())
    report.inserted += len(inserted)
    report.valid += len(inserted)
    dropped = [(line, values) for (line, values), row in zip(batch, rows, strict=True)
               if row["public_id"] not in inserted]
    if not dropped:
        return rows
    isrcs = {v["isrc"] for _, v in dropped if v["isrc"]}
    taken_isrcs = set(session.scalars(select(Song.isrc).where(
        live(Song), Song.isrc.in_(isrcs),
        (Song.import_id != report.import_id) | Song.import_id.is_(None)))) if isrcs else set()
    for line, values in dropped:
        if values["isrc"] in isrcs and values["isrc"] not in taken_isrcs:
            report.add_error(line, f"An earlier line already uses the ISRC {values['isrc']}.")
        elif values["isrc"] in taken_isrcs:
            report.add_error(line, f"Another song already uses the ISRC {values['isrc']}.")
        else:
            report.add_error(line, f"This artist already has a song titled “{values['title']}” "
                                   "(in the catalogue or on an earlier line).")
    return [row for row in rows if row["public_id"] in inserted]


COPIED_COLUMNS = ("public_id", "title", "artist_user_id", "genre_id", "duration_seconds",
                  "release_date", "isrc", "is_explicit", "status", "lyrics", "import_id",
                  "created_at", "updated_at")
CREATE_STAGING = text(
    "CREATE TEMP TABLE IF NOT EXISTS song_import_rows AS SELECT public_id, title, "
    "artist_user_id, genre_id, duration_seconds, release_date, isrc, is_explicit, status, lyrics, "
    "import_id, created_at, updated_at FROM song WITH NO DATA")
COPY_STAGING = (
    "COPY song_import_rows (public_id, title, artist_user_id, genre_id, duration_seconds, "
    "release_date, isrc, is_explicit, status, lyrics, import_id, created_at, updated_at) "
    "FROM STDIN")
MOVE_STAGED = text(
    "INSERT INTO song (public_id, title, artist_user_id, genre_id, duration_seconds, "
    "release_date, isrc, is_explicit, status, lyrics, import_id, created_at, updated_at) "
    "SELECT public_id, title, artist_user_id, genre_id, duration_seconds, release_date, isrc, "
    "is_explicit, status, lyrics, import_id, created_at, updated_at FROM song_import_rows "
    "ON CONFLICT DO NOTHING RETURNING public_id")
EMPTY_STAGING = text("TRUNCATE song_import_rows")


def _insert_through_copy(session: Session, rows: list[dict[str, Any]]) -> set[uuid.UUID]:
    """PostgreSQL: the batch goes to a temporary table by COPY (psycopg's binary-safe protocol,
    no giant statement to parse), then one ``INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING``
    moves it into ``song`` — all on the session's connection, inside its savepoint."""
    session.execute(CREATE_STAGING)
    driver = session.connection().connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(COPY_STAGING) as copy:
        for row in rows:
            copy.write_row([row[name].value if name == "status" else row[name]
                            for name in COPIED_COLUMNS])
    inserted = set(session.scalars(MOVE_STAGED))
    session.execute(EMPTY_STAGING)
    return inserted


def check_file(session: Session, user: User | None, stream: IO[str]) -> ImportReport:
    """The error report and a preview of the first good rows; writes nothing (the rows go in
    and out of a savepoint, so duplicates are judged exactly as the import will)."""
    report = ImportReport(import_id=uuid.uuid4())
    savepoint = session.begin_nested()
    try:
        for batch in checked_batches(session, user, stream, report):
            good = insert_batch(session, batch, report)
            room = PREVIEW_ROWS - len(report.preview)
            if room > 0:
                report.preview.extend(good[:room])
    finally:
        savepoint.rollback()
    report.inserted = 0
    return report


def import_file(session: Session, user: User | None, stream: IO[str], *, skip_bad: bool,
                filename: str = "", progress: Callable[[ImportReport], None] | None = None,
                ) -> ImportReport:
    """Check and insert, batch by batch, in one savepoint. All-or-nothing (``skip_bad=False``):
    one bad row and the savepoint is rolled back — nothing written, every bad line reported
    (it keeps inserting until the end so later repeats are found too). The file is read once
    and never held whole. Returns the report; the caller commits (the audit entry with the
    songs) or rolls back."""
    report = ImportReport(import_id=uuid.uuid4())
    savepoint = session.begin_nested()
    for batch in checked_batches(session, user, stream, report):
        insert_batch(session, batch, report)
        if progress is not None:
            progress(report)
    if report.error_count and not skip_bad:
        savepoint.rollback()
        report.inserted = 0
        return report
    savepoint.commit()
    audit.record(session, "songs.imported", actor=user, target_type="song",
                 target_label=filename or "CSV import",
                 details={"import_id": str(report.import_id), "file": filename,
                          "rows": report.rows, "inserted": report.inserted,
                          "skipped": report.error_count,
                          "mode": "skip bad rows" if skip_bad else "all or nothing"})
    return report


def text_stream(raw: IO[bytes]) -> IO[str]:
    """A binary upload/file read as UTF-8 text (a BOM is dropped), line by line."""
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def songs_of_import(session: Session, import_id: uuid.UUID) -> Iterable[Song]:
    return session.scalars(select(Song).where(Song.import_id == import_id))
