"""Where one first-page request of the songs list spends its time (cProfile, in-process).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/webadmin_bench \\
        .venv/bin/python bench/profile_list.py [--path "/songs/?per_page=50"] [--runs 200] [--cache]

Signs in as the benchmark superadmin (bench/generate.py), warms up, then profiles ``--runs``
requests through the Flask test client and prints the cumulative time per area (template
rendering, the page query, the count, the user loader, filters…), the statements one request runs,
and the top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from bench.generate import app_from_environment  # noqa: E402
from bench.list_latency import BENCH_PASSWORD, sign_in  # noqa: E402
from webadmin.db import get_db  # noqa: E402

# (label, function name as cProfile records it: file fragment, function)
AREAS = (
    ("template rendering", "jinja2/environment.py", "render"),
    ("page query (with the count and filter versions) + rows", "webadmin/admin/query.py",
     "fetch_page"),
    ("count on its own (a search, an empty page)", "webadmin/admin/query.py", "count_with"),
    ("filter widgets", "webadmin/admin/filters.py", "widget"),
    ("signed-in user (+ the snapshot)", "webadmin/auth/loader.py", "load_user"),
    ("cells (drawers)", "webadmin/admin/views.py", "__call__"),
    ("rows drawn in Python (cells included)", "webadmin/admin/views.py", "render"),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", default="/songs/?per_page=50")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--email", default="bench-admin@example.com")
    parser.add_argument("--cache", action="store_true",
                        help="keep the list cache on: profile a repeated view answered from it "
                             "(default: off, every request reads and draws the page)")
    args = parser.parse_args()
    app = app_from_environment(parser, **({} if args.cache else {"LIST_CACHE_SIZE": 0}))
    assert BENCH_PASSWORD
    browser = sign_in(app, args.email)
    statements: list[str] = []
    event.listen(get_db(app).engine, "before_cursor_execute",
                 lambda _c, _cu, statement, *_a: statements.append(statement))
    for _ in range(20):
        response = browser.get(args.path)
        assert response.status_code == 200, response.status_code
    statements.clear()
    size = len(browser.get(args.path).get_data())
    per_request = list(statements)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(args.runs):
        browser.get(args.path).get_data()
    profiler.disable()
    elapsed = (time.perf_counter() - started) / args.runs * 1000
    stats = pstats.Stats(profiler)
    total = max(stats.total_tt, 1e-9)  # type: ignore[attr-defined]
    print(f"{args.path}: {elapsed:.1f} ms per request under the profiler, HTML {size:,} bytes, "
          f"{len(per_request)} SQL statements")
    for statement in per_request:
        print("   ", " ".join(statement.split())[:int(os.environ.get("SQL_WIDTH", "150"))])
    print()
    print("| area | share of the request |")
    print("| --- | ---: |")
    raw = stats.stats  # type: ignore[attr-defined]
    for label, fragment, function in AREAS:
        cumulative = sum(value[3] for (filename, _line, name), value in raw.items()
                         if name == function and filename.endswith(fragment))
        if cumulative:
            print(f"| {label} | {cumulative / total:.0%} |")
    print()
    stats.sort_stats("cumulative").print_stats(35)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
