"""Song CSV import speed beside PostgreSQL's COPY of the same rows, and its memory on a big file.

    .venv/bin/python bench/import_bench.py [--rows 100000] [--big 1000000] [--write]

Uses its own database (``--database webadmin_bench_import``: migrated, seeded, 500 bench
singers, 60 genres through bench/generate.py). Writes a deterministic CSV of ``--rows`` songs,
then in one run:

1. ``COPY song (…) FROM STDIN`` of exactly those rows, already resolved to ids (the floor: no
   checks at all), timed around the COPY and its commit;
2. empties ``song`` and imports the same CSV through the app (``webadmin.songs.importer``:
   every row through the song form's rules, artist/genre resolution, duplicate checks, batched
   Core inserts, audit entry, commit) in a child process that reports its time and peak RSS;
3. imports a ``--big``-row CSV the same way (another child) for its peak RSS: memory stays flat
   when the big file's peak is about the small one's.

``--write`` puts the table into BENCHMARKS.md (section "Song import").
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from bench.load import machine  # noqa: E402

BEGIN, END = "<!-- import:begin -->", "<!-- import:end -->"
SINGERS = 500
STATUSES = ("draft", "published", "archived")


def ensure_database(name: str) -> str:
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')  # name from our own command line
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--songs", "0",
                    "--singers", str(SINGERS), "--genres", "60"],
                   env={**os.environ, "DATABASE_URL": url}, check=True, timeout=600,
                   stdout=subprocess.DEVNULL)
    return url


def row(i: int, genres: list[str]) -> dict[str, str]:
    seconds = 60 + (i * 37) % 540
    release = date(2015, 1, 1) + timedelta(days=(i * 13) % 4000)
    return {"title": f"Imported Song {i}", "artist": f"bench-singer-{i % SINGERS}@example.com",
            "genre": genres[i % len(genres)], "duration": f"{seconds // 60}:{seconds % 60:02d}",
            "release_date": "" if i % 10 == 0 else release.isoformat(),
            "isrc": f"QZ{i // 100_000:03d}26{i % 100_000:05d}" if i % 2 == 0 else "",
            "status": STATUSES[i % 3], "explicit": "yes" if i % 7 == 0 else "no"}


def write_csv(path: Path, rows: int, genres: list[str]) -> None:
    import csv

    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=list(row(0, genres)))
        writer.writeheader()
        for i in range(rows):
            writer.writerow(row(i, genres))


def empty_songs(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("TRUNCATE song CASCADE")
        # audit_event is append-only (migration 0005): each run's one summary entry stays.
        conn.execute("VACUUM ANALYZE song")


def copy_floor(dsn: str, rows: int, genres: list[str]) -> float:
    """Seconds to COPY ``rows`` resolved rows (the data is prepared before the clock starts)."""
    with psycopg.connect(dsn) as conn:
        artists = dict(conn.execute("SELECT email, id FROM user_account WHERE email LIKE "
                                    "'bench-singer-%'").fetchall())
        genre_ids = dict(conn.execute("SELECT name, id FROM genre WHERE deleted_at IS NULL")
                         .fetchall())
        now = datetime.now(UTC).isoformat()
        buffer = io.StringIO()
        for i in range(rows):
            r = row(i, genres)
            minutes, seconds = r["duration"].split(":")
            buffer.write("\t".join((
                str(uuid.uuid4()), r["title"], str(artists[r["artist"]]),
                str(genre_ids[r["genre"]]), str(int(minutes) * 60 + int(seconds)),
                r["release_date"] or "\\N", r["isrc"] or "\\N",
                "t" if r["explicit"] == "yes" else "f", r["status"], "", now, now, "1")) + "\n")
        data = buffer.getvalue()
        started = time.perf_counter()
        with conn.cursor().copy(
                "COPY song (public_id, title, artist_user_id, genre_id, duration_seconds, "
                "release_date, isrc, is_explicit, status, lyrics, created_at, updated_at, "
                "version_id) FROM STDIN") as copy:
            copy.write(data)
        conn.commit()
        return time.perf_counter() - started


CHILD = """
import json, os, resource, sys, time
from webadmin import create_app
from webadmin.db import get_db
from webadmin.songs.importer import import_file, text_stream
app = create_app({"ENV_NAME": "production", "DATABASE_URL": os.environ["DATABASE_URL"],
                  "SECRET_KEY": os.urandom(32).hex(), "LOG_LEVEL": "warning"})
with app.app_context():
    session = get_db(app).session()
    started = time.perf_counter()
    with open(sys.argv[1], "rb") as raw:
        report = import_file(session, None, text_stream(raw), skip_bad=False,
                             filename=os.path.basename(sys.argv[1]))
    session.commit()
    elapsed = time.perf_counter() - started
print("RESULT " + json.dumps({"seconds": elapsed, "inserted": report.inserted,
                              "bad": report.error_count,
                              "peak_rss_mb": resource.getrusage(
                                  resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def app_import(url: str, path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(path)], cwd=ROOT, capture_output=True,
                         text=True, timeout=3600, env={**os.environ, "DATABASE_URL": url,
                                                       "PYTHONPATH": str(ROOT)})
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise SystemExit(f"the import child failed:\n{out.stdout}\n{out.stderr}")


def write_benchmarks(table: str) -> None:
    path = ROOT / "BENCHMARKS.md"
    content = path.read_text()
    block = f"{BEGIN}\n{table}\n{END}"
    if BEGIN in content and END in content:
        head, rest = content.split(BEGIN, 1)
        content = head + block + rest.split(END, 1)[1]
    else:
        content = content.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(content)


def big_only(url: str, dsn: str, rows: int, genres: list[str], write: bool) -> int:
    empty_songs(dsn)
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / f"songs-{rows}.csv"
        write_csv(path, rows, genres)
        size_mb = path.stat().st_size / 1024 / 1024
        big = app_import(url, path)
    line = (f"| import of a {size_mb:,.0f} MB file (`--big-only --big {rows}`, a later run) | "
            f"{rows:,} | {big['seconds']:.2f} | {rows / big['seconds']:,.0f} | — | "
            f"{big['peak_rss_mb']:.0f} MB |")
    print(line)
    if write:
        path = ROOT / "BENCHMARKS.md"
        content = path.read_text()
        if END in content:
            path.write_text(content.replace(END, line + "\n" + END, 1))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=1_000_000, help="0: skip the memory run")
    parser.add_argument("--database", default="webadmin_bench_import")
    parser.add_argument("--big-only", action="store_true",
                        help="only the --big memory run; --write adds its row to the table")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    url = ensure_database(args.database)
    dsn = url.replace("+psycopg", "")
    with psycopg.connect(dsn) as conn:
        genres = [name for (name,) in conn.execute(
            "SELECT name FROM genre WHERE deleted_at IS NULL ORDER BY id")]
    if args.big_only:
        return big_only(url, dsn, args.big, genres, args.write)
    with tempfile.TemporaryDirectory() as workdir:
        small = Path(workdir) / f"songs-{args.rows}.csv"
        write_csv(small, args.rows, genres)
        empty_songs(dsn)
        copy_seconds = copy_floor(dsn, args.rows, genres)
        print(f"COPY: {args.rows:,} rows in {copy_seconds:.2f} s", flush=True)
        empty_songs(dsn)
        result = app_import(url, small)
        assert result["inserted"] == args.rows, result
        print(f"import: {args.rows:,} rows in {result['seconds']:.2f} s, peak RSS "
              f"{result['peak_rss_mb']:.0f} MB", flush=True)
        big = None
        if args.big:
            empty_songs(dsn)
            big_path = Path(workdir) / f"songs-{args.big}.csv"
            write_csv(big_path, args.big, genres)
            big = app_import(url, big_path)
            print(f"import: {args.big:,} rows in {big['seconds']:.2f} s, peak RSS "
                  f"{big['peak_rss_mb']:.0f} MB", flush=True)
            size_mb = big_path.stat().st_size / 1024 / 1024
    copy_rate = args.rows / copy_seconds
    import_rate = args.rows / result["seconds"]
    lines = [
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M UTC}. Machine: {machine()}.", "",
        "Command: `.venv/bin/python bench/import_bench.py " + " ".join(sys.argv[1:]) + "`", "",
        "| what | rows | seconds | rows/s | ÷ COPY | peak RSS |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        f"| `COPY song FROM STDIN` (resolved ids, no checks) | {args.rows:,} | "
        f"{copy_seconds:.2f} | {copy_rate:,.0f} | 1.00 | — |",
        f"| import (form rules, lookups, duplicate checks, batched insert, audit) | "
        f"{args.rows:,} | {result['seconds']:.2f} | {import_rate:,.0f} | "
        f"{import_rate / copy_rate:.2f} | {result['peak_rss_mb']:.0f} MB |",
    ]
    if big is not None:
        lines.append(f"| import of a {size_mb:,.0f} MB file | {args.big:,} | {big['seconds']:.2f}"
                     f" | {args.big / big['seconds']:,.0f} | — | {big['peak_rss_mb']:.0f} MB |")
    table = "\n".join(lines)
    print()
    print(table)
    if args.write:
        write_benchmarks(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
