"""Demo catalogue for a laptop: a few singers, a listener and a few dozen songs. Idempotent."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import (
    Genre,
    Song,
    SongStatus,
    SubscriptionPlan,
    User,
    UserRole,
    UserSubscription,
    live,
)
from .users import create_user, find_live_user_by_email

DEMO_PASSWORD = "demo-password-123"  # noqa: S105 - printed on purpose; laptop demo only
SINGERS = (
    ("nina@example.com", "Nina Vega"),
    ("omar@example.com", "Omar Reed"),
    ("lea@example.com", "Léa Martin"),
)
WORDS = ("Midnight", "Summer", "Electric", "Golden", "Paper", "Silent", "River", "Neon",
         "Broken", "Velvet", "Northern", "Wild", "Hollow", "Crystal", "Lonely", "Burning")
NOUNS = ("Heart", "City", "Lights", "Dreams", "Road", "Sky", "Waves", "Echo", "Fire", "Garden",
         "Train", "Letters", "Mirrors", "Rain", "Stars", "Shadows")


def _user(session: Session, email: str, name: str, role: UserRole) -> User:
    return find_live_user_by_email(session, email) or create_user(
        session, email=email, display_name=name, password=DEMO_PASSWORD, role=role)


def load_demo_data(session: Session, songs_per_singer: int = 14) -> dict[str, int]:
    rng = random.Random(42)  # noqa: S311 - demo content, not security
    genres = session.scalars(select(Genre).where(live(Genre))).all()
    if not genres:
        raise RuntimeError("seed the reference data first (flask seed)")
    created_songs = 0
    for email, name in SINGERS:
        singer = _user(session, email, name, UserRole.singer)
        existing = session.scalar(select(func.count()).select_from(Song).where(
            Song.artist_user_id == singer.id))
        for index in range(existing or 0, songs_per_singer):
            session.add(Song(
                title=f"{rng.choice(WORDS)} {rng.choice(NOUNS)} {index + 1}",
                artist_user_id=singer.id, genre_id=rng.choice(genres).id,
                duration_seconds=rng.randint(95, 420),
                release_date=date(2024, 1, 1) + timedelta(days=rng.randint(0, 900)),
                is_explicit=rng.random() < 0.15,
                status=rng.choice(list(SongStatus)),
            ))
            created_songs += 1
    listener = _user(session, "listener@example.com", "Sam Listener", UserRole.listener)
    premium = session.scalars(select(SubscriptionPlan).where(
        SubscriptionPlan.code == "premium")).first()
    if premium and not listener.subscriptions:
        session.add(UserSubscription(listener_user_id=listener.id, plan_id=premium.id))
    session.flush()
    return {"songs": created_songs}
