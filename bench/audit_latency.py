"""Latency of /audit/ (100,000 deleted rows) and /audit/log (1,000,000 entries): first page vs a
page deep in the list, through the app (Flask test client), beside a floor in the same run.

    createdb -h 127.0.0.1 -U postgres webadmin_bench_audit
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/webadmin_bench_audit \\
        .venv/bin/python bench/audit_latency.py [--deleted 100000] [--entries 1000000] [--runs 15]

Migrates, seeds and fills the database on the first run (Core bulk INSERTs in batches; a second
run reuses the rows). Each case is one whole request measured ``--runs`` times after two
warm-ups: median, p95, statements, and the ratio of each deep page to its first page. The
floor is the cheapest signed-in page (/account/password): what any page costs before its list.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, event, func, insert, select, text  # noqa: E402

from bench.generate import BENCH_PASSWORD, in_process_app, prepare  # noqa: E402
from tests.helpers import Browser  # noqa: E402
from webadmin.admin.query import encode_cursor  # noqa: E402
from webadmin.auth.passwords import hash_password  # noqa: E402
from webadmin.db import get_db  # noqa: E402
from webadmin.models import (  # noqa: E402
    AuditEvent,
    DeletedRow,
    Deletion,
    Genre,
    Song,
    User,
    UserRole,
)

BATCH = 20_000
ADMIN_EMAIL = "bench-admin@example.com"
ACTIONS = ("record.created", "record.updated", "record.deleted", "record.restored",
           "auth.sign_in")
TYPES = ("song", "genre", "subscription_plan", "localization_string", "system_config")
START = datetime(2025, 12, 1, tzinfo=UTC)


def count(engine: Engine, model: Any) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(model)) or 0


def fill_deleted(engine: Engine, total: int) -> None:
    """``total`` songs soft-deleted one by one by two admins, each its own deletion."""
    password = hash_password(BENCH_PASSWORD)
    with engine.begin() as conn:
        genre_id = conn.scalar(select(Genre.id).order_by(Genre.id).limit(1))
        deleters = [conn.scalar(select(User.id).where(User.email == ADMIN_EMAIL))]
        singer = conn.scalar(insert(User).values(
            email=f"bench-audit-singer-{uuid.uuid4().hex[:8]}@example.com",
            display_name="Bench Audit Singer", password_hash=password,
            role=UserRole.singer).returning(User.id))
        deleters.append(conn.scalar(insert(User).values(
            email=f"bench-audit-admin-{uuid.uuid4().hex[:8]}@example.com",
            display_name="Second Admin", password_hash=password,
            role=UserRole.superadmin).returning(User.id)))
        base_deletion = (conn.scalar(select(func.max(Deletion.id))) or 0) + 1
    started = time.perf_counter()
    for offset in range(0, total, BATCH):
        n = min(BATCH, total - offset)
        with engine.begin() as conn:
            songs = []
            for i in range(offset, offset + n):
                when = START + timedelta(seconds=30 * i)
                songs.append({"public_id": uuid.uuid4(), "title": f"Deleted song {i:06d}",
                              "artist_user_id": singer, "genre_id": genre_id,
                              "duration_seconds": 180 + i % 120, "lyrics": "",
                              "created_at": when, "updated_at": when, "deleted_at": when})
            ids = conn.execute(insert(Song).returning(Song.id, Song.public_id,
                                                      sort_by_parameter_order=True),
                               songs).all()
            deletions, rows = [], []
            for k, (song_id, public_id) in enumerate(ids):
                i = offset + k
                when = songs[k]["deleted_at"]
                actor = deleters[i % 2]
                deletion_id = base_deletion + i
                deletions.append({"id": deletion_id, "public_id": uuid.uuid4(),
                                  "deleted_at": when, "actor_user_id": actor,
                                  "actor_label": "bench", "section": "songs",
                                  "target_type": "song", "target_public_id": str(public_id),
                                  "target_label": songs[k]["title"], "row_count": 1})
                rows.append({"deletion_id": deletion_id, "section": "songs",
                             "target_type": "song", "target_id": song_id,
                             "target_public_id": str(public_id), "label": songs[k]["title"],
                             "is_root": True, "deleted_at": when, "actor_user_id": actor})
            conn.execute(insert(Deletion), deletions)
            conn.execute(insert(DeletedRow), rows)
        print(f"  deleted rows: {offset + n:,}", flush=True)
    with engine.begin() as conn:
        conn.execute(text("SELECT setval(pg_get_serial_sequence('deletion', 'id'), "
                          "(SELECT max(id) FROM deletion))"))
    print(f"  filled {total:,} deleted rows in {time.perf_counter() - started:.0f} s")


def fill_log(engine: Engine, total: int) -> None:
    with engine.connect() as conn:
        admin = conn.scalar(select(User.id).where(User.email == ADMIN_EMAIL))
    started = time.perf_counter()
    for offset in range(0, total, BATCH):
        n = min(BATCH, total - offset)
        entries = []
        for i in range(offset, offset + n):
            entries.append({
                "public_id": uuid.uuid4(), "occurred_at": START + timedelta(seconds=3 * i),
                "actor_user_id": admin if i % 3 else None,
                "actor_label": ADMIN_EMAIL if i % 3 else "", "action": ACTIONS[i % 5],
                "target_type": TYPES[i % 5], "target_public_id": str(uuid.uuid4()),
                "target_label": f"Row {i}", "client_ip": "127.0.0.1",
                "changes": {"name": [f"before {i}", f"after {i}"]}})
        with engine.begin() as conn:
            conn.execute(insert(AuditEvent), entries)
        if (offset // BATCH) % 10 == 9 or offset + n == total:
            print(f"  audit entries: {offset + n:,}", flush=True)
    print(f"  filled {total:,} audit entries in {time.perf_counter() - started:.0f} s")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def explain(engine: Engine, statement: str, parameters: Any) -> str:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + statement, parameters)
        return "\n".join(row[0] for row in cursor.fetchall())
    finally:
        raw.close()


def page_query(statements: list[Any]) -> tuple[str, Any]:
    """The statement that fetched the page (LIMIT over deleted_row or audit_event)."""
    for statement, parameters in statements:
        lowered = statement.lower()
        if "limit" in lowered and ("from deleted_row" in lowered
                                   or "from audit_event" in lowered):
            return statement, parameters
    raise LookupError("no page query recorded")


def measure(browser: Browser, url: str, runs: int, statements: list[Any]) -> dict[str, Any]:
    for _ in range(2):
        response = browser.get(url)
        assert response.status_code == 200, (url, response.status_code)
        response.get_data()
    timings = []
    for _ in range(runs):
        statements.clear()
        start = time.perf_counter()
        response = browser.get(url)
        response.get_data()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return {"median": statistics.median(timings),
            "p95": timings[max(0, int(round(0.95 * len(timings))) - 1)],
            "statements": len(statements), "recorded": list(statements)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deleted", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--out", type=Path, default=None, help="also write the report here")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        parser.error("set DATABASE_URL to a PostgreSQL database of your own")

    prepare(url)
    app = in_process_app(url)
    engine = get_db(app).engine
    if count(engine, DeletedRow) < args.deleted:
        fill_deleted(engine, args.deleted - count(engine, DeletedRow))
    if count(engine, AuditEvent) < args.entries:
        fill_log(engine, args.entries - count(engine, AuditEvent))
    deleted_total, log_total = count(engine, DeletedRow), count(engine, AuditEvent)

    with engine.connect() as conn:
        deep_deleted = conn.execute(text(
            "SELECT deleted_at, id FROM deleted_row WHERE is_root "
            "ORDER BY deleted_at DESC, id DESC OFFSET :n LIMIT 1"),
            {"n": int(deleted_total * 0.9)}).one()
        deep_log = conn.execute(text(
            "SELECT occurred_at, id FROM audit_event ORDER BY occurred_at DESC, id DESC "
            "OFFSET :n LIMIT 1"), {"n": int(log_total * 0.9)}).one()
        deep_updated = conn.execute(text(
            "SELECT occurred_at, id FROM audit_event WHERE action = 'record.updated' "
            "ORDER BY occurred_at DESC, id DESC OFFSET :n LIMIT 1"),
            {"n": int(log_total * 0.9 / 5)}).one()

    browser = Browser(app.test_client())
    if browser.login(ADMIN_EMAIL, BENCH_PASSWORD).status_code != 302:
        raise SystemExit("could not sign in as the bench superadmin")
    statements: list[Any] = []
    event.listen(engine, "before_cursor_execute",
                 lambda *a: statements.append((a[2], a[3])))

    def deep(name: str, row: Any, **extra: str) -> str:
        return urlencode({**extra, "after": encode_cursor(f"-{name}", row[0], row[1])})

    cases = [
        ("floor: /account/password", "/account/password", None),
        ("/audit/ first page", "/audit/", None),
        (f"/audit/ deep page (after row {int(deleted_total * 0.9):,})",
         "/audit/?" + deep("deleted", deep_deleted), "/audit/ first page"),
        ("/audit/?section=songs first page", "/audit/?section=songs", None),
        ("/audit/log first page", "/audit/log", None),
        (f"/audit/log deep page (after entry {int(log_total * 0.9):,})",
         "/audit/log?" + deep("log", deep_log), "/audit/log first page"),
        ("/audit/log?action=record.updated first page", "/audit/log?action=record.updated",
         None),
        ("/audit/log?action=record.updated deep page",
         "/audit/log?" + deep("log", deep_updated, action="record.updated"),
         "/audit/log?action=record.updated first page"),
        (f"/audit/log?actor={ADMIN_EMAIL} first page",
         "/audit/log?" + urlencode({"actor": ADMIN_EMAIL}), None),
    ]
    results: dict[str, dict[str, Any]] = {}
    for label, path, _first in cases:
        results[label] = measure(browser, path, args.runs, statements)
        print(f"{label:<58} median {results[label]['median']:7.1f} ms   "
              f"p95 {results[label]['p95']:7.1f} ms   {results[label]['statements']} statements",
              flush=True)
    floor = results[cases[0][0]]["median"]
    lines = [f"{deleted_total:,} deleted rows, {log_total:,} audit entries. {args.runs} runs per "
             "case after 2 warm-ups; in-process Flask test client, PostgreSQL on the same host.",
             "", "| case | median | p95 | × floor | deep ÷ first | SQL statements |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for label, _path, first in cases:
        result = results[label]
        ratio = f"{result['median'] / results[first]['median']:.2f}" if first else ""
        lines.append(f"| {label} | {result['median']:.1f} ms | {result['p95']:.1f} ms | "
                     f"{result['median'] / floor:.1f} | {ratio} | {result['statements']} |")
    for label, _path, first in cases:
        if first:  # the deep pages: the plan of the page query the request ran
            statement, parameters = page_query(results[label]["recorded"])
            lines += ["", f"#### {label}: page query plan", "", "```",
                      explain(engine, statement, parameters), "```"]
    report = "\n".join(lines)
    print()
    print(report)
    if args.out:
        args.out.write_text(report + "\n")
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
