"""Latency of the songs list on a big catalogue, through the app (Flask test client).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/webadmin_bench \\
        .venv/bin/python bench/list_latency.py [--runs 15] [--out bench/latest.md]

Run bench/generate.py first. Each case is one full request (routing, permission check, user
loader, queries, template) measured ``--runs`` times after two warm-ups; the table gives the
median and the 95th percentile, the statements the page ran, and for the deep pages the
PostgreSQL plan of the page query itself (EXPLAIN ANALYZE of the exact SQL and parameters the
request sent), which shows the keyset condition answered by an index: no OFFSET, no Seq Scan.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, func, select, text  # noqa: E402

from bench.generate import app_from_environment  # noqa: E402
from tests.helpers import Browser  # noqa: E402
from webadmin.admin.query import encode_cursor  # noqa: E402
from webadmin.db import get_db  # noqa: E402
from webadmin.models import Genre, Song, User, UserRole  # noqa: E402

BENCH_PASSWORD = "bench-password-123"  # noqa: S105 - benchmark accounts only


def sign_in(app: Any, email: str) -> Browser:
    browser = Browser(app.test_client())
    response = browser.login(email, BENCH_PASSWORD)
    if response.status_code != 302:
        raise SystemExit(f"could not sign in as {email}: HTTP {response.status_code}")
    return browser


class Recorder:
    def __init__(self, engine: Any) -> None:
        self.statements: list[tuple[str, Any]] = []
        event.listen(engine, "before_cursor_execute", self.before)

    def before(self, _conn: Any, _cursor: Any, statement: str, parameters: Any,
               *_args: Any) -> None:
        self.statements.append((statement, parameters))


def measure(browser: Browser, url: str, runs: int, recorder: Recorder) -> dict[str, Any]:
    for _ in range(2):
        response = browser.get(url)
        assert response.status_code == 200, (url, response.status_code)
        response.get_data()
    timings = []
    for _ in range(runs):
        recorder.statements.clear()
        start = time.perf_counter()
        response = browser.get(url)
        response.get_data()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return {"median": statistics.median(timings),
            "p95": timings[max(0, int(round(0.95 * len(timings))) - 1)],
            "statements": list(recorder.statements)}


def page_query(statements: list[tuple[str, Any]]) -> tuple[str, Any]:
    """The statement that fetched the page's songs (not the count, the user, the filters)."""
    for statement, parameters in statements:
        if statement.lstrip().upper().startswith("SELECT SONG.") and "LIMIT" in statement.upper():
            return statement, parameters
    raise LookupError("no page query recorded")


def explain(engine: Any, statement: str, parameters: Any) -> str:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, parameters)
        return "\n".join(row[0] for row in cursor.fetchall())
    finally:
        raw.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--deep", type=int, default=500_000, help="rows before the deep page")
    parser.add_argument("--out", type=Path, default=None, help="also write the report here")
    args = parser.parse_args()

    # Every timed request reads and draws its page: a repeat of the same URL would be answered
    # by the list cache (webadmin/admin/listcache.py) and record no page query to EXPLAIN.
    app = app_from_environment(parser, LIST_CACHE_SIZE=0)
    engine = get_db(app).engine
    with engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(Song).where(
            Song.deleted_at.is_(None)))
        deep = min(args.deep, max(total - 30, 0))
        created_row = conn.execute(text(
            "SELECT created_at, id FROM song WHERE deleted_at IS NULL "
            "ORDER BY created_at DESC, id DESC OFFSET :n LIMIT 1"), {"n": deep}).one()
        title_row = conn.execute(text(
            "SELECT title, id FROM song WHERE deleted_at IS NULL "
            "ORDER BY title, id OFFSET :n LIMIT 1"), {"n": deep}).one()
        genre = conn.execute(select(Genre.public_id, Genre.name).where(
            Genre.slug == "rock")).one()
        busiest = conn.execute(
            select(User.email, func.count(Song.id)).join(Song, Song.artist_user_id == User.id)
            .where(User.role == UserRole.singer, User.email.like("bench-singer-%"))
            .group_by(User.email).order_by(func.count(Song.id).desc()).limit(1)).one()
        rare_isrc = conn.scalar(select(Song.isrc).where(Song.isrc.is_not(None))
                                .order_by(Song.id.desc()).limit(1))

    admin = sign_in(app, "bench-admin@example.com")
    singer = sign_in(app, busiest.email)
    recorder = Recorder(engine)
    deep_created = encode_cursor("-created", created_row.created_at, created_row.id)
    deep_title = encode_cursor("title", title_row.title, title_row.id)
    cases = [
        ("first page (newest first, 25 rows)", admin, "/songs/"),
        ("first page, 100 rows", admin, "/songs/?per_page=100"),
        (f"deep page: after row {deep:,} (newest first)", admin,
         "/songs/?" + urlencode({"after": deep_created})),
        (f"deep page: after row {deep:,} (title A→Z)", admin,
         "/songs/?" + urlencode({"sort": "title", "after": deep_title})),
        (f"filter: genre {genre.name} + published", admin,
         "/songs/?" + urlencode({"genre": str(genre.public_id), "status": "published"})),
        ("filter: explicit + released in 2020", admin,
         "/songs/?is_explicit=yes&release_date_from=2020-01-01&release_date_to=2020-12-31"),
        ("search: common word (“velvet”)", admin, "/songs/?q=velvet"),
        (f"search: one ISRC ({rare_isrc})", admin, "/songs/?" + urlencode({"q": rare_isrc})),
        ("search: a title word nothing matches (“zebra”)", admin, "/songs/?q=zebra"),
        (f"singer's own list ({busiest[1]:,} songs)", singer, "/songs/"),
        ("dashboard (capped counts)", admin, "/"),
    ]
    results = []
    for label, browser, path in cases:
        result = measure(browser, path, args.runs, recorder)
        results.append((label, path, result))
        print(f"{label:<48} median {result['median']:7.1f} ms   p95 {result['p95']:7.1f} ms"
              f"   {len(result['statements'])} statements", flush=True)

    lines = [f"Catalogue: {total:,} live songs. {args.runs} runs per case after 2 warm-ups; "
             "in-process Flask test client, one worker, PostgreSQL on the same host.", "",
             "| case | median | p95 | SQL statements |", "| --- | ---: | ---: | ---: |"]
    for label, _path, result in results:
        lines.append(f"| {label} | {result['median']:.1f} ms | {result['p95']:.1f} ms | "
                     f"{len(result['statements'])} |")
    for label, _path, result in results:
        if label.startswith(("deep page", "filter: genre", "search: common", "search: a title")):
            statement, parameters = page_query(result["statements"])
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
