"""Filter counts (issue 12): the one facets statement of the songs list beside the page's count
statement, on a big catalogue. Read only: it runs the app's own functions (``count_with``,
``facet_counts``) as a superadmin (and a singer) would, inside a transaction it rolls back.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/webadmin_bench \\
        .venv/bin/python bench/filter_counts.py [--runs 15] [--explain]

``--explain`` prints EXPLAIN ANALYZE of the exact facets SQL and parameters. A case named
"50 genres counted" lifts the bound of a related filter's options (the catalogue has more
genres than the 50 a filter lists, so its genre filter is a lookup without counts) and counts
the first 50 genres: what the largest bounded filter costs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402

from bench.generate import app_from_environment  # noqa: E402
from bench.list_latency import Recorder, explain  # noqa: E402
from webadmin.admin import filters as filters_module  # noqa: E402
from webadmin.admin import site  # noqa: E402
from webadmin.admin.filters import RelatedFilter  # noqa: E402
from webadmin.admin.query import (  # noqa: E402
    FACET_CAP,
    count_with,
    facet_counts,
    filtered_query,
    parse_list_params,
)
from webadmin.db import get_db  # noqa: E402
from webadmin.models import Genre, Song, User, UserRole  # noqa: E402


def timed(runs: int, call: Callable[[], Any]) -> tuple[float, float]:
    for _ in range(2):
        call()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return statistics.median(timings), timings[max(0, round(0.95 * len(timings)) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--cap", type=int, default=None, help="count options up to this many "
                        "rows (default: the app's FACET_CAP)")
    args = parser.parse_args()
    app = app_from_environment(parser)
    engine = get_db(app).engine
    admin = site.get("songs")
    assert admin is not None
    with app.app_context():
        session = get_db(app).session()
        try:
            superadmin = session.scalars(select(User).where(
                User.role == UserRole.superadmin).order_by(User.id).limit(1)).one()
            genre = session.scalars(select(Genre.name).where(Genre.deleted_at.is_(None))
                                    .order_by(Genre.name).limit(1)).one()
            singer = session.scalars(
                select(User).join(Song, Song.artist_user_id == User.id)
                .group_by(User.id).order_by(func.count().desc()).limit(1)).one()
            total = session.scalar(select(func.count()).select_from(Song).where(
                Song.deleted_at.is_(None)))
            cases = [("unfiltered", superadmin, {}, False),
                     (f"genre “{genre}” + published", superadmin,
                      {"genre": genre, "status": "published"}, False),
                     ("unfiltered, 50 genres counted", superadmin, {}, True),
                     (f"genre “{genre}” + published, 50 genres counted", superadmin,
                      {"genre": genre, "status": "published"}, True),
                     (f"genre “{genre}” + published + explicit, 50 genres counted", superadmin,
                      {"genre": genre, "status": "published", "is_explicit": "yes"}, True),
                     ("a singer's own songs", singer, {}, False)]
            print(f"Catalogue: {total:,} live songs; cap {args.cap or FACET_CAP:,}; {args.runs} "
                  "runs per case after 2 warm-ups, each statement alone (median / p95).\n")
            print("| case | options counted | facets statement | page's count statement |")
            print("| --- | ---: | ---: | ---: |")
            plans = []
            recorder = Recorder(engine) if args.explain else None
            for label, user, query, every_genre in cases:
                limit = filters_module.BOUNDED_SELECT_LIMIT
                if every_genre:
                    filters_module.BOUNDED_SELECT_LIMIT = 1000
                try:
                    params = parse_list_params(admin, MultiDict(query), user)
                    listed = admin.get_list_filters(user)
                    widgets = [f.widget(params.filters.get(f.param), session, user)
                               for f in listed]
                finally:
                    filters_module.BOUNDED_SELECT_LIMIT = limit
                pairs = [(f, None if w.options is None else w.options[:limit])
                         for f, w in zip(listed, widgets, strict=True)]
                options = sum(len(list(f.facet_clauses(o, user))) for f, o in pairs)
                stmt = filtered_query(admin, user, params)
                unscoped = not params.is_filtered and admin.unscoped_for(user)
                related = [f for f in listed if isinstance(f, RelatedFilter)]
                facets = timed(args.runs, lambda: facet_counts(  # noqa: B023
                    session, admin, user, params, pairs, cap=args.cap))  # noqa: B023
                counted = timed(args.runs, lambda: count_with(  # noqa: B023
                    session, stmt, estimate_table="song" if unscoped else None,  # noqa: B023
                    extras=[f.version_query(user) for f in related]))  # noqa: B023
                print(f"| {label} | {options} | {facets[0]:.1f} ms / {facets[1]:.1f} ms "
                      f"| {counted[0]:.1f} ms / {counted[1]:.1f} ms |", flush=True)
                if recorder is not None:
                    recorder.statements.clear()
                    facet_counts(session, admin, user, params, pairs, cap=args.cap)
                    statement, parameters = recorder.statements[-1]
                    plans.append((label, explain(engine, statement, parameters)))
            for label, plan in plans:
                print(f"\n#### {label}: facets statement plan\n\n```\n{plan}\n```")
        finally:
            session.rollback()
            get_db(app).session.remove()
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
