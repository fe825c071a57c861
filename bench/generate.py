"""Load a big song catalogue fast, for the list benchmarks (PostgreSQL).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/webadmin_bench \\
        .venv/bin/python bench/generate.py --songs 1000000 [--singers 2000] [--genres 60]

Migrates the database, seeds the reference data, adds ``--singers`` singer accounts and then
``--songs`` songs with Core ``INSERT`` executemany in batches (SQLAlchemy's insertmanyvalues turns
each batch into a few multi-row statements), committing every batch. Titles are unique per
artist, ISRCs unique, created_at spread over three years, ~10 % without a release date, so every
sort key and filter has realistic data. Ends with ANALYZE so the planner (and the list's count
estimate) knows the table.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402

from webadmin import create_app  # noqa: E402
from webadmin.auth.passwords import hash_password  # noqa: E402
from webadmin.models import Genre, Song, SongStatus, User, UserRole  # noqa: E402

WORDS = ("Midnight", "Summer", "Electric", "Golden", "Paper", "Silent", "River", "Neon",
         "Broken", "Velvet", "Northern", "Wild", "Hollow", "Crystal", "Lovely", "Burning")
NOUNS = ("Heart", "City", "Lights", "Dreams", "Road", "Sky", "Waves", "Echo", "Fire", "Garden",
         "Train", "Letters", "Mirrors", "Rain", "Stars", "Shadows")
BENCH_PASSWORD = "bench-password-123"  # noqa: S105 - benchmark accounts only
STATUSES = [s.value for s in SongStatus]


def in_process_app(url: str, **overrides: Any) -> Flask:
    """The app as the in-process benchmarks drive it: production settings on ``url``."""
    return create_app({"ENV_NAME": "production", "DATABASE_URL": url,
                       "SECRET_KEY": os.urandom(32).hex(), "SESSION_COOKIE_SECURE": False,
                       "LOG_LEVEL": "warning", "RATELIMIT_STORAGE_URI": "memory://",
                       **overrides})


def app_from_environment(parser: argparse.ArgumentParser, **overrides: Any) -> Flask:
    """``in_process_app`` on the PostgreSQL database named by DATABASE_URL (the one this script
    filled); anything else is a usage error of the calling benchmark."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        parser.error("set DATABASE_URL to the PostgreSQL database bench/generate.py filled")
    return in_process_app(url, **overrides)


def prepare(url: str) -> None:
    from tests.helpers import alembic_config, run_alembic
    from webadmin.db import get_db
    from webadmin.services.seed import seed_reference_data
    from webadmin.services.users import ensure_superadmin

    run_alembic(alembic_config(url), "upgrade", "head")
    app = create_app({"ENV_NAME": "development", "DATABASE_URL": url,
                      "SECRET_KEY": os.urandom(32).hex()})
    with app.app_context():
        session = get_db(app).session()
        seed_reference_data(session)
        ensure_superadmin(session, email="bench-admin@example.com", password=BENCH_PASSWORD)
        session.commit()
    get_db(app).engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=200_000)
    parser.add_argument("--singers", type=int, default=2000)
    parser.add_argument("--genres", type=int, default=0,
                        help="top up the seeded genres to this many (0: the seed only)")
    parser.add_argument("--batch", type=int, default=20_000)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        parser.error("set DATABASE_URL to a PostgreSQL database (postgresql+psycopg://…)")

    started = time.perf_counter()
    prepare(url)
    engine = create_engine(url)
    rng = random.Random(7)  # noqa: S311 - synthetic data
    password_hash = hash_password(BENCH_PASSWORD)
    with engine.begin() as conn:
        existing = conn.scalar(select(func.count()).select_from(User).where(
            User.role == UserRole.singer)) or 0
        new = [{"email": f"bench-singer-{n}@example.com", "display_name": f"Bench Singer {n}",
                "password_hash": password_hash, "role": UserRole.singer,
                "session_token": f"bench-{n}-{os.urandom(8).hex()}"}
               for n in range(existing, args.singers)]
        if new:
            conn.execute(insert(User), new)
        singer_ids = conn.scalars(select(User.id).where(User.role == UserRole.singer)
                                  .order_by(User.id)).all()
        genres = conn.scalar(select(func.count()).select_from(Genre)) or 0
        if genres < args.genres:
            conn.execute(insert(Genre), [{"name": f"Bench Genre {n}", "slug": f"bench-genre-{n}",
                                          "description": ""} for n in range(genres, args.genres)])
        genre_ids = conn.scalars(select(Genre.id).where(Genre.deleted_at.is_(None))
                                 .order_by(Genre.id)).all()
        offset = conn.scalar(select(func.count()).select_from(Song)) or 0

    now = datetime.now(UTC)
    inserted = 0
    while inserted < args.songs:
        size = min(args.batch, args.songs - inserted)
        rows = []
        for k in range(size):
            i = offset + inserted + k
            created = now - timedelta(seconds=rng.randint(0, 3 * 365 * 86400))
            rows.append({
                "title": f"{rng.choice(WORDS)} {rng.choice(NOUNS)} {i}",
                "artist_user_id": rng.choice(singer_ids),
                "genre_id": rng.choice(genre_ids),
                "duration_seconds": rng.randint(60, 600),
                "release_date": None if rng.random() < 0.1
                else date(2015, 1, 1) + timedelta(days=rng.randint(0, 4000)),
                "isrc": f"QZ{i // 100_000:03d}24{i % 100_000:05d}" if rng.random() < 0.5
                else None,
                "is_explicit": rng.random() < 0.15,
                "status": rng.choice(STATUSES),
                "lyrics": "",
                "created_at": created, "updated_at": created,
            })
        with engine.begin() as conn:
            conn.execute(insert(Song), rows)
        inserted += size
        rate = inserted / (time.perf_counter() - started)
        print(f"{inserted:>10,} songs  ({rate:,.0f}/s)", flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE song"))
        conn.execute(text("ANALYZE user_account"))
        total = conn.scalar(select(func.count()).select_from(Song))
    engine.dispose()
    print(f"done: {total:,} songs in the table, {time.perf_counter() - started:,.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
