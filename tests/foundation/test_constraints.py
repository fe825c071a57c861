"""The database itself enforces the invariants, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from tests.factories import (
    make_config,
    make_genre,
    make_plan,
    make_song,
    make_string,
    make_subscription,
    make_user,
)
from webadmin.models import Genre, Song, SubscriptionPlan, User


def expect_integrity_error(session: Session, build: Callable[[], Any], constraint: str) -> None:
    """``build`` must fail with an IntegrityError naming ``constraint``; the session recovers."""
    with pytest.raises(IntegrityError) as caught:
        with session.begin_nested():
            build()
    message = str(caught.value.orig).lower()
    # SQLite names CHECK constraints but reports unique indexes by their columns.
    assert constraint.lower() in message or "unique" in message, message


def soft_delete(session: Session, row: Any) -> None:
    row.deleted_at = datetime.now(UTC)
    session.flush()


DUPLICATES = {
    "email, case-insensitive": (
        lambda s: make_user(s, email="dup@example.test"),
        lambda s: make_user(s, email="DUP@example.test"),
        "uq_user_account_email_live"),
    "genre name, case-insensitive": (
        lambda s: make_genre(s, name="Rock", slug="rock"),
        lambda s: make_genre(s, name="rock", slug="rock-2"),
        "uq_genre_name_live"),
    "genre slug": (
        lambda s: make_genre(s, name="Rock", slug="rock"),
        lambda s: make_genre(s, name="Rock II", slug="rock"),
        "uq_genre_slug_live"),
    "plan code": (
        lambda s: make_plan(s, code="premium"),
        lambda s: make_plan(s, code="Premium"),
        "uq_subscription_plan_code_live"),
    "localization key and locale": (
        lambda s: make_string(s, key="nav.home", locale="de"),
        lambda s: make_string(s, key="nav.home", locale="de"),
        "uq_localization_string_key_locale_live"),
    "config key": (
        lambda s: make_config(s, key="max_upload_mb"),
        lambda s: make_config(s, key="max_upload_mb"),
        "uq_system_config_key_live"),
}


@pytest.mark.parametrize("case", DUPLICATES, ids=list(DUPLICATES))
def test_duplicate_live_natural_key_is_rejected_and_freed_by_soft_delete(db_session, case):
    make_first, make_second, constraint = DUPLICATES[case]
    first = make_first(db_session)
    expect_integrity_error(db_session, lambda: make_second(db_session), constraint)

    soft_delete(db_session, first)
    second = make_second(db_session)  # the soft-deleted row no longer holds the key
    assert second.id != first.id


def test_song_title_unique_per_artist_and_isrc_unique(db_session):
    artist = make_user(db_session)
    genre = make_genre(db_session)
    make_song(db_session, artist=artist, genre=genre, title="Halo", isrc="USRC17607839")
    expect_integrity_error(
        db_session, lambda: make_song(db_session, artist=artist, genre=genre, title="HALO"),
        "uq_song_artist_title_live")
    expect_integrity_error(
        db_session, lambda: make_song(db_session, genre=genre, title="Other", isrc="USRC17607839"),
        "uq_song_isrc_live")
    # Another artist may use the same title; songs without an ISRC never collide.
    make_song(db_session, genre=genre, title="Halo")
    make_song(db_session, genre=genre, title="No code 1", isrc=None)
    make_song(db_session, genre=genre, title="No code 2", isrc=None)


CHECKS = {
    "negative price": (lambda s: make_plan(s, price_cents=-1), "price_not_negative"),
    "trial days over a year": (lambda s: make_plan(s, trial_days=400), "trial_days_range"),
    "negative trial days": (lambda s: make_plan(s, trial_days=-1), "trial_days_range"),
    "currency not three letters": (lambda s: make_plan(s, currency="EURO"), "currency_iso4217"),
    "zero duration": (lambda s: make_song(s, duration_seconds=0), "duration_positive"),
    "negative duration": (lambda s: make_song(s, duration_seconds=-5), "duration_positive"),
    "isrc of wrong length": (lambda s: make_song(s, isrc="SHORT"), "isrc_length"),
    "empty song title": (lambda s: make_song(s, title=""), "title_not_empty"),
    "empty genre name": (lambda s: make_genre(s, name=""), "name_not_empty"),
}


@pytest.mark.parametrize("case", CHECKS, ids=list(CHECKS))
def test_check_constraints_hold(db_session, case, backend):
    build, constraint = CHECKS[case]
    # PostgreSQL refuses a too-long value for its column type before the CHECK (DataError).
    with pytest.raises((IntegrityError, DataError)) as caught:
        with db_session.begin_nested():
            build(db_session)
    message = str(caught.value.orig).lower()
    assert constraint in message or "check" in message or "too long" in message


def test_enum_columns_refuse_unknown_values(db_session):
    user = make_user(db_session)
    with pytest.raises(IntegrityError):
        with db_session.begin_nested():
            # Raw SQL: the ORM would refuse the value before the database sees it.
            db_session.execute(text("UPDATE user_account SET role = :role WHERE id = :id"),
                               {"role": "root", "id": user.id})


def test_genre_cannot_be_its_own_parent(db_session):
    genre = make_genre(db_session)
    with pytest.raises(IntegrityError):
        with db_session.begin_nested():
            db_session.execute(update(Genre).where(Genre.id == genre.id)
                               .values(parent_genre_id=genre.id))


def test_plan_with_a_subscription_cannot_be_hard_deleted(db_session):
    subscription = make_subscription(db_session)
    plan_id = subscription.plan_id
    with pytest.raises(IntegrityError):
        with db_session.begin_nested():
            db_session.execute(delete(SubscriptionPlan).where(SubscriptionPlan.id == plan_id))
    assert db_session.get(SubscriptionPlan, plan_id) is not None


def test_plan_without_subscriptions_can_be_hard_deleted(db_session):
    plan = make_plan(db_session)
    db_session.execute(delete(SubscriptionPlan).where(SubscriptionPlan.id == plan.id))
    assert db_session.scalar(select(SubscriptionPlan).where(SubscriptionPlan.id == plan.id)) is None


def test_genre_with_songs_cannot_be_hard_deleted(db_session):
    song = make_song(db_session)
    with pytest.raises(IntegrityError):
        with db_session.begin_nested():
            db_session.execute(delete(Genre).where(Genre.id == song.genre_id))


def test_updated_at_moves_and_version_id_increments_on_update(db_session):
    genre = make_genre(db_session)
    created_at, updated_at, version = genre.created_at, genre.updated_at, genre.version_id
    assert version == 1
    assert created_at.tzinfo is not None
    genre.description = "changed"
    db_session.flush()
    db_session.expire(genre)
    assert genre.version_id == version + 1
    assert genre.updated_at > updated_at
    assert genre.created_at == created_at
    assert genre.updated_at.tzinfo is not None


def test_stale_version_is_refused(db_session):
    genre = make_genre(db_session)
    # Someone else saves the row behind this session's back.
    db_session.execute(update(Genre).where(Genre.id == genre.id)
                       .values(description="theirs", version_id=Genre.version_id + 1)
                       .execution_options(synchronize_session=False))
    genre.description = "mine"
    with pytest.raises(StaleDataError):
        with db_session.begin_nested():
            db_session.flush()


def test_datetimes_round_trip_as_aware_utc(db_session):
    song = make_song(db_session, release_date=None)
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC) + timedelta(microseconds=0)
    song.deleted_at = when
    db_session.flush()
    db_session.expire(song)
    assert song.deleted_at == when
    assert song.deleted_at.utcoffset() == timedelta(0)


def test_public_id_is_a_uuid_distinct_from_id(db_session):
    a, b = make_genre(db_session), make_genre(db_session)
    assert a.public_id != b.public_id
    assert db_session.scalar(select(Genre).where(Genre.public_id == a.public_id)) is a


def test_deleting_a_song_keeps_its_artist_and_genre(db_session):
    song = make_song(db_session)
    artist_id, genre_id = song.artist_user_id, song.genre_id
    db_session.delete(song)
    db_session.flush()
    assert db_session.get(User, artist_id) is not None
    assert db_session.get(Genre, genre_id) is not None
    assert db_session.scalar(select(Song).where(Song.id == song.id)) is None
