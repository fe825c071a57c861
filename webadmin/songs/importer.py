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

from sqlalchemy import func, insert, select, tuple_
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from ..genres.forms import GENRE_SOURCE
from ..models import Song, User, UserRole, utcnow
from ..services import audit
from .forms import ARTIST_SOURCE, SongForm

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


class RowChecker:
    """Checks rows with the song form's rules; resolves artists and genres once per value."""

    def __init__(self, session: Session, user: User | None):
        self.session, self.user = session, user
        self.form = SongForm(formdata=None, meta={"csrf": False})
        del self.form.artist  # resolved below, memoized (a form field would query per row)
        del self.form.genre
        self.singer = user is not None and user.role is UserRole.singer
        self._artists: dict[str, Any] = {}
        self._genres: dict[str, Any] = {}

    def _resolve(self, cache: dict[str, Any], source: Any, raw: str, what: str) -> Any:
        key = raw.strip().lower()
        if key not in cache:
            if not key or "\x00" in key or len(key) > 320:
                cache[key] = f"No {what} matches “{raw.strip()}”." if key else f"Choose {what}."
            else:
                row, matches = source.resolve(self.session, self.user, raw)
                cache[key] = (row.id if row is not None else
                              f"Several {what}s match “{raw.strip()}”." if matches > 1
                              else f"No {what} matches “{raw.strip()}”.")
        return cache[key]

    def check(self, record: dict[str, str]) -> dict[str, Any] | str:
        """The insertable values of one row, or the reason it is refused."""
        if "__error__" in record:
            return record["__error__"]
        explicit = record.get("explicit", "").strip().lower()
        if explicit not in TRUE_WORDS | FALSE_WORDS:
            return "explicit: write yes or no."
        formdata = MultiDict({"title": record.get("title", ""),
                              "duration_seconds": record.get("duration", ""),
                              "release_date": record.get("release_date", "").strip(),
                              "isrc": record.get("isrc", ""), "lyrics": record.get("lyrics", "")})
        if record.get("status", "").strip():
            formdata["status"] = record["status"].strip().lower()
        if explicit in TRUE_WORDS:
            formdata["is_explicit"] = "y"
        form = self.form
        form.process(formdata=formdata)
        if not form.validate():
            return " ".join(f"{form[name].label.text}: {' '.join(messages)}"
                            for name, messages in form.errors.items())
        if self.singer:
            artist_id: Any = self.user.id  # type: ignore[union-attr]
        else:
            artist_id = self._resolve(self._artists, ARTIST_SOURCE, record.get("artist", ""),
                                      "artist")
        genre_id = self._resolve(self._genres, GENRE_SOURCE, record.get("genre", ""), "genre")
        problems = [p for p in (artist_id, genre_id) if isinstance(p, str)]
        if problems:
            return " ".join(problems)
        return {"title": form.title.data, "artist_user_id": artist_id, "genre_id": genre_id,
                "duration_seconds": form.duration_seconds.data,
                "release_date": form.release_date.data, "isrc": form.isrc.data or None,
                "status": form.status.data, "is_explicit": bool(form.is_explicit.data),
                "lyrics": form.lyrics.data or ""}


def checked_batches(session: Session, user: User | None, stream: IO[str], report: ImportReport,
                    batch_size: int = BATCH_SIZE, *, remember: bool = True,
                    ) -> Iterator[list[dict[str, Any]]]:
    """Batches of valid rows; bad rows go to ``report`` with their line. Duplicates (artist +
    title, ISRC) are checked against the rows before them in the file and the live songs.

    ``remember=False`` (an import, which inserts each batch before the next is checked) keeps
    only the current batch's keys in memory: earlier batches are in the database by then, and
    the per-batch query finds them, so memory stays flat whatever the file's size. A check that
    writes nothing (``remember=True``) keeps every key: it serves the page's bounded uploads."""
    checker = RowChecker(session, user)
    seen_titles: set[tuple[int, str]] = set()
    seen_isrcs: set[str] = set()
    pending: list[tuple[int, dict[str, Any]]] = []

    def flush() -> list[dict[str, Any]]:
        titles = {(v["artist_user_id"], v["title"].lower()) for _, v in pending}
        isrcs = {v["isrc"] for _, v in pending if v["isrc"]}
        taken_titles = set(session.execute(select(Song.artist_user_id, func.lower(Song.title))
                                           .where(Song.deleted_at.is_(None), tuple_(
                                               Song.artist_user_id, func.lower(Song.title))
                                               .in_(titles))).all()) if titles else set()
        taken_isrcs = set(session.scalars(select(Song.isrc).where(
            Song.deleted_at.is_(None), Song.isrc.in_(isrcs)))) if isrcs else set()
        good = []
        for line, values in pending:
            if (values["artist_user_id"], values["title"].lower()) in taken_titles:
                report.add_error(line, f"This artist already has a song titled "
                                       f"“{values['title']}”.")
            elif values["isrc"] in taken_isrcs:
                report.add_error(line, f"Another song already uses the ISRC {values['isrc']}.")
            else:
                good.append(values)
        pending.clear()
        return good

    for line, record in csv_records(stream):
        report.rows += 1
        result = checker.check(record)
        if isinstance(result, str):
            report.add_error(line, result)
            continue
        title_key = (result["artist_user_id"], result["title"].lower())
        if title_key in seen_titles:
            report.add_error(line, f"An earlier line already has this artist and the title "
                                   f"“{result['title']}”.")
            continue
        if result["isrc"] and result["isrc"] in seen_isrcs:
            report.add_error(line, f"An earlier line already uses the ISRC {result['isrc']}.")
            continue
        seen_titles.add(title_key)
        if result["isrc"]:
            seen_isrcs.add(result["isrc"])
        pending.append((line, result))
        if len(pending) >= batch_size:
            if not remember:
                seen_titles.clear()
                seen_isrcs.clear()
            good = flush()
            report.valid += len(good)
            yield good
    if pending:
        good = flush()
        report.valid += len(good)
        yield good


def check_file(session: Session, user: User | None, stream: IO[str]) -> ImportReport:
    """Read the whole file, write nothing: the error report and a preview of the first rows."""
    report = ImportReport()
    for batch in checked_batches(session, user, stream, report):
        room = PREVIEW_ROWS - len(report.preview)
        report.preview.extend(batch[:room])
    return report


def import_file(session: Session, user: User | None, stream: IO[str], *, skip_bad: bool,
                filename: str = "", progress: Callable[[ImportReport], None] | None = None,
                ) -> ImportReport:
    """Check and insert, batch by batch, in one savepoint. All-or-nothing (``skip_bad=False``):
    one bad row and the savepoint is rolled back — nothing written, every bad line reported.
    The file is read once and never held whole. Returns the report; the caller commits (the
    audit entry with the songs) or rolls back."""
    report = ImportReport(import_id=uuid.uuid4())
    now = utcnow()
    savepoint = session.begin_nested()
    for batch in checked_batches(session, user, stream, report, remember=False):
        # All or nothing keeps inserting after a bad row (the savepoint is rolled back at the
        # end): later duplicates of earlier rows are then found and reported too.
        if batch:
            session.execute(insert(Song), [
                {**values, "public_id": uuid.uuid4(), "import_id": report.import_id,
                 "created_at": now, "updated_at": now} for values in batch])
            report.inserted += len(batch)
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
