"""Small factories: each builds a valid row with overridable fields and flushes it."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from tests.helpers import default_password_hash
from webadmin.models import (
    Album,
    Genre,
    LocalizationString,
    Song,
    SubscriptionPlan,
    SystemConfig,
    User,
    UserRole,
    UserSubscription,
)
from webadmin.models.enums import ConfigValueType

_seq = itertools.count(1)


def _add(session: Session, row: Any) -> Any:
    session.add(row)
    session.flush()
    return row


def make_user(session: Session, **fields: Any) -> User:
    n = next(_seq)
    fields.setdefault("email", f"user{n}@example.test")
    fields.setdefault("display_name", f"User {n}")
    fields.setdefault("password_hash", default_password_hash())
    fields.setdefault("role", UserRole.singer)
    return _add(session, User(**fields))


def make_genre(session: Session, **fields: Any) -> Genre:
    n = next(_seq)
    fields.setdefault("name", f"Genre {n}")
    fields.setdefault("slug", f"genre-{n}")
    return _add(session, Genre(**fields))


def make_song(session: Session, **fields: Any) -> Song:
    n = next(_seq)
    if "artist_user_id" not in fields and "artist" not in fields:
        fields["artist"] = make_user(session)
    if "genre_id" not in fields and "genre" not in fields:
        fields["genre"] = make_genre(session)
    fields.setdefault("title", f"Song {n}")
    fields.setdefault("duration_seconds", 180)
    return _add(session, Song(**fields))


def make_album(session: Session, **fields: Any) -> Album:
    n = next(_seq)
    if "artist" not in fields and "artist_user_id" not in fields:
        fields["artist"] = make_user(session, role=UserRole.singer)
    fields.setdefault("title", f"Album {n}")
    return _add(session, Album(**fields))


def make_plan(session: Session, **fields: Any) -> SubscriptionPlan:
    n = next(_seq)
    fields.setdefault("code", f"plan-{n}")
    fields.setdefault("name", f"Plan {n}")
    fields.setdefault("price_cents", 999)
    return _add(session, SubscriptionPlan(**fields))


def make_subscription(session: Session, **fields: Any) -> UserSubscription:
    if "listener" not in fields and "listener_user_id" not in fields:
        fields["listener"] = make_user(session, role=UserRole.listener)
    if "plan" not in fields and "plan_id" not in fields:
        fields["plan"] = make_plan(session)
    return _add(session, UserSubscription(**fields))


def make_string(session: Session, **fields: Any) -> LocalizationString:
    n = next(_seq)
    fields.setdefault("key", f"key.{n}")
    fields.setdefault("locale", "en")
    fields.setdefault("value", f"Value {n}")
    return _add(session, LocalizationString(**fields))


def make_config(session: Session, **fields: Any) -> SystemConfig:
    n = next(_seq)
    fields.setdefault("key", f"setting_{n}")
    fields.setdefault("value_type", ConfigValueType.string)
    fields.setdefault("value", "x")
    return _add(session, SystemConfig(**fields))
