"""Songs sorted by a related column (artist name, genre name) on a big catalogue: the first
page beside a page 500,000 rows deep, beside the plain first page (newest first) as the floor,
in the same run; and searches, first page and next page: a rare artist's name, a rare title
term, a common word ("love"), and a term matching a few thousand titles sorted by title. Through
the app (Flask test client).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/webadmin_bench \\
        .venv/bin/python bench/related_sort.py [--runs 15] [--deep 500000]

Run bench/generate.py first (and ``alembic upgrade head``: migration 0009's indexes). The
deep page's cursor is the one the app would have handed out after ``--deep`` rows (found here
once with OFFSET, outside the timing); a search's next page is the one its first page links
to. The plans of the deep page query and of the searches' page queries are printed (EXPLAIN
ANALYZE of the exact SQL and parameters the request sent).

Signing in writes to the database (the session): run it on a copy of the bench database
(``createdb -T webadmin_bench <copy>``), not on webadmin_bench itself.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from bench.generate import app_from_environment  # noqa: E402
from bench.list_latency import Recorder, explain, measure, sign_in  # noqa: E402
from webadmin.admin.query import encode_cursor  # noqa: E402
from webadmin.db import get_db  # noqa: E402

DEEP_ROW = {  # the (related value, foreign key, song id) of the n-th row in that order
    "artist": "SELECT u.display_name, u.id, s.id FROM song s JOIN user_account u "
              "ON u.id = s.artist_user_id WHERE s.deleted_at IS NULL "
              "ORDER BY u.display_name, u.id, s.id OFFSET :n LIMIT 1",
    "-artist": "SELECT u.display_name, u.id, s.id FROM song s JOIN user_account u "
               "ON u.id = s.artist_user_id WHERE s.deleted_at IS NULL "
               "ORDER BY u.display_name DESC, u.id DESC, s.id DESC OFFSET :n LIMIT 1",
    "genre": "SELECT g.name, g.id, s.id FROM song s JOIN genre g ON g.id = s.genre_id "
             "WHERE s.deleted_at IS NULL ORDER BY g.name, g.id, s.id OFFSET :n LIMIT 1",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--deep", type=int, default=500_000)
    args = parser.parse_args()
    # Every timed request reads and draws its page: a repeat of the same URL would be answered
    # by the list cache (webadmin/admin/listcache.py) and record no page query to EXPLAIN.
    app = app_from_environment(parser, LIST_CACHE_SIZE=0)
    engine = get_db(app).engine
    with engine.connect() as conn:
        total = conn.scalar(text("SELECT count(*) FROM song WHERE deleted_at IS NULL"))
        deep = min(args.deep, total - 30)
        cursors = {}
        for sort, sql in DEEP_ROW.items():
            value, foreign_key, song_id = conn.execute(text(sql), {"n": deep}).one()
            cursors[sort] = encode_cursor(sort, [value, foreign_key], song_id)
        artist = conn.scalar(text("SELECT display_name FROM user_account WHERE role = 'singer' "
                                  "ORDER BY id DESC LIMIT 1"))
        # The first four digits of the oldest song's number: a few hundred titles.
        oldest = conn.scalar(text("SELECT title FROM song WHERE deleted_at IS NULL "
                                  "ORDER BY created_at, id LIMIT 1"))
        rare_term = oldest.rsplit(" ", 1)[-1][:4]
        matches = {term: conn.scalar(text(
            "SELECT count(*) FROM song s WHERE s.deleted_at IS NULL AND (s.title ILIKE :p "
            "OR s.isrc ILIKE :p OR s.artist_user_id IN (SELECT id FROM user_account "
            "WHERE display_name ILIKE :p))"), {"p": f"%{term}%"})
            for term in (artist, rare_term, "love", "Wild Waves")}
    admin = sign_in(app, "bench-admin@example.com")
    recorder = Recorder(engine)
    cases = [("floor: first page, newest first (no join)", "/songs/")]
    for sort, label in (("artist", "artist A→Z"), ("-artist", "artist Z→A"),
                        ("genre", "genre A→Z")):
        cases += [(f"sort by {label}: first page", f"/songs/?sort={sort}"),
                  (f"sort by {label}: after row {deep:,}",
                   "/songs/?" + urlencode({"sort": sort, "after": cursors[sort]}))]
    searches = [(f"search by an artist's name (“{artist}”)", {"q": artist}),
                (f"search by a rare title term (“{rare_term}”)", {"q": rare_term}),
                ("search by a common word (“love”)", {"q": "love"}),
                ("search “Wild Waves”, sorted by title", {"q": "Wild Waves", "sort": "title"})]
    for label, query in searches:
        path = "/songs/?" + urlencode(query)
        found = matches[query["q"]]
        shown = f"{found:,} matches" + (", over the count's cap" if found > 10_000 else "")
        cases.append((f"{label}, {shown}: first page", path))
        page = admin.get(path).get_data(as_text=True)
        next_link = re.search(r'href="([^"]+)" rel="next"', page)
        if next_link:
            cases.append((f"{label}: next page", html.unescape(next_link.group(1))))
    results = []
    for label, path in cases:
        result = measure(admin, path, args.runs, recorder)
        results.append((label, result))
        print(f"{label:<52} median {result['median']:7.1f} ms   p95 {result['p95']:7.1f} ms"
              f"   {len(result['statements'])} statements", flush=True)
    floor = results[0][1]["median"]
    lines = [f"Catalogue: {total:,} live songs. {args.runs} runs per case after 2 warm-ups; "
             "in-process Flask test client, one worker, PostgreSQL on the same host.", "",
             "| case | median | p95 | × floor | SQL statements |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for label, result in results:
        lines.append(f"| {label} | {result['median']:.1f} ms | {result['p95']:.1f} ms | "
                     f"{result['median'] / floor:.2f} | {len(result['statements'])} |")
    for label, result in results:
        if "after row" in label and "artist A→Z" in label or label.startswith("search"):
            statement, parameters = next(
                (s, p) for s, p in result["statements"]
                if "LIMIT" in s.upper() and "FROM user_account AS sort_by" in s
                or (label.startswith("search") and "ORDER BY" in s.upper()
                    and "LIMIT" in s.upper()))
            lines += ["", f"#### {label}: page query plan", "", "```",
                      explain(engine, statement, parameters), "```"]
    print()
    print("\n".join(lines))
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
