"""Idempotent reference data: genres, plans, default settings, base English strings.

Each row goes in with ``INSERT … ON CONFLICT DO NOTHING`` through the dialect's own insert, so
running the seed twice (or two processes at once) leaves exactly one copy, on both backends.
The caller commits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..models import (
    BillingInterval,
    ConfigValueType,
    Genre,
    LocalizationString,
    Model,
    SubscriptionPlan,
    SystemConfig,
    live,
)

GENRES: tuple[tuple[str, str | None, str], ...] = (
    ("Pop", None, "Popular music with broad appeal."),
    ("Rock", None, "Guitar-driven music from rock and roll onwards."),
    ("Hip-Hop", None, "Rhythmic vocals over beats."),
    ("Electronic", None, "Music made primarily with electronic instruments."),
    ("Jazz", None, "Improvisation, swing and blue notes."),
    ("Classical", None, "Art music of the Western tradition."),
    ("R&B", None, "Rhythm and blues and its soul descendants."),
    ("Country", None, "Roots music from the American South."),
    ("Folk", None, "Traditional and acoustic songwriting."),
    ("Indie Rock", "Rock", "Independent, guitar-based rock."),
    ("House", "Electronic", "Four-on-the-floor dance music."),
    ("Techno", "Electronic", "Repetitive, machine-driven dance music."),
)

PLANS: tuple[dict[str, Any], ...] = (
    {"code": "free", "name": "Free", "price_cents": 0, "currency": "USD",
     "billing_interval": BillingInterval.month, "trial_days": 0},
    {"code": "premium", "name": "Premium", "price_cents": 1099, "currency": "USD",
     "billing_interval": BillingInterval.month, "trial_days": 30},
    {"code": "family", "name": "Family", "price_cents": 1799, "currency": "USD",
     "billing_interval": BillingInterval.month, "trial_days": 30},
    {"code": "premium-annual", "name": "Premium (annual)", "price_cents": 10990,
     "currency": "USD", "billing_interval": BillingInterval.year, "trial_days": 30},
)

CONFIG: tuple[tuple[str, ConfigValueType, Any, str], ...] = (
    ("maintenance_mode", ConfigValueType.bool, False, "Show a maintenance banner to listeners."),
    ("max_upload_mb", ConfigValueType.int, 200, "Largest audio file a singer may upload."),
    ("default_locale", ConfigValueType.string, "en", "Locale used when a user has none."),
    ("featured_genres", ConfigValueType.json, ["pop", "rock", "hip-hop"],
     "Genre slugs shown first on the home screen."),
    ("signup_enabled", ConfigValueType.bool, True, "Allow new listener sign-ups."),
    ("free_plan_skips_per_hour", ConfigValueType.int, 6, "Skips allowed on the free plan."),
)

STRINGS_EN: Mapping[str, str] = {
    "app.name": "Music",
    "nav.home": "Home",
    "nav.search": "Search",
    "nav.library": "Your library",
    "player.play": "Play",
    "player.pause": "Pause",
    "player.next": "Next",
    "player.previous": "Previous",
    "account.sign_in": "Sign in",
    "account.sign_out": "Sign out",
    "plans.upgrade": "Upgrade to Premium",
    "plans.trial": "Start your free trial",
    "errors.generic": "Something went wrong. Please try again.",
}


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "genre"


def encode_config_value(value_type: ConfigValueType, value: Any) -> str:
    if value_type is ConfigValueType.bool:
        return "true" if value else "false"
    if value_type is ConfigValueType.json:
        return json.dumps(value, sort_keys=True)
    return str(value)


def insert_ignoring_conflicts(session: Session, model: type[Model],
                              rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert rows, skipping any that collide with a unique index; returns rows inserted."""
    rows = [dict(row) for row in rows]
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    if insert is None:
        raise RuntimeError(f"seeding is not supported on {dialect}")
    inserted = 0
    for row in rows:  # one by one: a conflict must skip only its own row
        statement = insert(model).values(**row).on_conflict_do_nothing().returning(model.id)
        inserted += len(session.execute(statement).all())
    return inserted


def seed_genres(session: Session) -> int:
    count = insert_ignoring_conflicts(session, Genre, (
        {"name": name, "slug": slugify(name), "description": description}
        for name, parent, description in GENRES if parent is None))
    ids = dict(session.execute(
        select(func.lower(Genre.name), Genre.id).where(live(Genre))).all())
    count += insert_ignoring_conflicts(session, Genre, (
        {"name": name, "slug": slugify(name), "description": description,
         "parent_genre_id": ids[parent.lower()]}
        for name, parent, description in GENRES if parent is not None))
    return count


def seed_plans(session: Session) -> int:
    return insert_ignoring_conflicts(session, SubscriptionPlan, PLANS)


def seed_config(session: Session) -> int:
    return insert_ignoring_conflicts(session, SystemConfig, (
        {"key": key, "value_type": value_type,
         "value": encode_config_value(value_type, value), "description": description}
        for key, value_type, value, description in CONFIG))


def seed_strings(session: Session, locale: str = "en") -> int:
    return insert_ignoring_conflicts(session, LocalizationString, (
        {"key": key, "locale": locale, "value": value} for key, value in STRINGS_EN.items()))


def seed_reference_data(session: Session) -> dict[str, int]:
    """Every seed, in dependency order. Returns how many rows each added (0 on a re-run)."""
    return {
        "genres": seed_genres(session),
        "plans": seed_plans(session),
        "config": seed_config(session),
        "localization": seed_strings(session),
    }
