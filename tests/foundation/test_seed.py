"""``flask seed`` is idempotent on both backends."""

from __future__ import annotations

from sqlalchemy import func, select

from webadmin.models import Genre, LocalizationString, Song, SubscriptionPlan, SystemConfig, User
from webadmin.services import seed

TABLES = (Genre, SubscriptionPlan, SystemConfig, LocalizationString)


def counts(session):
    return {model.__name__: session.scalar(select(func.count()).select_from(model))
            for model in (*TABLES, User, Song)}


def test_seed_twice_leaves_the_rows_of_one_run(app, db_session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    after_one = counts(db_session)
    assert after_one["Genre"] == len(seed.GENRES)
    assert after_one["SubscriptionPlan"] == len(seed.PLANS)
    assert after_one["SystemConfig"] == len(seed.CONFIG)
    assert after_one["LocalizationString"] == len(seed.STRINGS_EN)

    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0, second.output
    assert "+0" in second.output
    assert counts(db_session) == after_one


def test_seed_includes_free_premium_and_family_plans_and_subgenres(app, db_session):
    assert app.test_cli_runner().invoke(args=["seed"]).exit_code == 0
    codes = set(db_session.scalars(select(SubscriptionPlan.code)))
    assert {"free", "premium", "family"} <= codes
    house = db_session.scalars(select(Genre).where(Genre.name == "House")).one()
    assert house.parent is not None and house.parent.name == "Electronic"


def test_seed_skips_rows_that_exist_and_keeps_their_edits(app, db_session):
    runner = app.test_cli_runner()
    runner.invoke(args=["seed"])
    plan = db_session.scalars(select(SubscriptionPlan).where(
        SubscriptionPlan.code == "premium")).one()
    plan.price_cents = 1299
    db_session.commit()
    runner.invoke(args=["seed"])
    db_session.expire_all()
    assert db_session.scalars(select(SubscriptionPlan.price_cents).where(
        SubscriptionPlan.code == "premium")).one() == 1299


def test_demo_data_is_idempotent(app, db_session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed", "--demo"])
    assert result.exit_code == 0, result.output
    once = counts(db_session)
    assert once["Song"] > 0 and once["User"] >= 4
    runner.invoke(args=["seed", "--demo"])
    assert counts(db_session) == once


def test_create_superadmin_never_echoes_the_password(app, db_session):
    password = "a-very-long-password-42"
    result = app.test_cli_runner().invoke(
        args=["create-superadmin", "--email", "Boss@Example.test"],
        input=f"{password}\n{password}\n")
    assert result.exit_code == 0, result.output
    assert password not in result.output
    user = db_session.scalars(select(User).where(User.email == "boss@example.test")).one()
    assert user.role.value == "superadmin"
    assert password not in user.password_hash


def test_create_superadmin_refuses_a_short_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-superadmin", "--email", "boss@example.test", "--password", "short"])
    assert result.exit_code != 0
    assert "at least" in result.output
