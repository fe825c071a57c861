"""Plans end to end: prices typed as decimals and stored in cents, duplicates and bad input as
form errors, and a plan with subscribers that can only be deactivated."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.admin.support import field_error, form_values, public_ids
from tests.factories import make_plan, make_subscription
from webadmin.models import AuditEvent, BillingInterval, SubscriptionPlan, SubscriptionStatus

NEW_PLAN = {"code": "Student", "name": "Student", "price_cents": "5.49", "currency": "EUR",
            "billing_interval": "month", "trial_days": "14", "is_active": "y", "is_public": "y"}


def live_plan(db_session, code):
    return db_session.scalars(select(SubscriptionPlan).where(
        func.lower(SubscriptionPlan.code) == code.lower(),
        SubscriptionPlan.deleted_at.is_(None))).one_or_none()


def test_create_edit_delete_round_trip(admin_browser, db_session):
    response = admin_browser.submit("/plans/new", NEW_PLAN)
    assert response.status_code == 302, response.get_data(as_text=True)
    plan = live_plan(db_session, "student")
    assert plan.code == "student"  # normalised
    assert (plan.price_cents, plan.currency, plan.trial_days) == (549, "EUR", 14)
    assert plan.billing_interval is BillingInterval.month and plan.is_active and plan.is_public

    page = admin_browser.get(f"/plans/{plan.public_id}/edit").get_data(as_text=True)
    data = form_values(page)
    assert data["price_cents"] == "5.49" and data["version_id"] == "1"
    data.update(price_cents="59.90", billing_interval="year")
    data.pop("is_public")  # unchecked
    assert admin_browser.submit(f"/plans/{plan.public_id}/edit", data).status_code == 302
    db_session.expire_all()
    plan = live_plan(db_session, "student")
    assert (plan.price_cents, plan.billing_interval, plan.is_public) == (
        5990, BillingInterval.year, False)
    listing = admin_browser.get("/plans/?q=stud").get_data(as_text=True)
    assert "59.90 EUR" in listing

    assert admin_browser.get(f"/plans/{plan.public_id}/delete").status_code == 200
    assert admin_browser.submit(f"/plans/{plan.public_id}/delete").status_code == 302
    db_session.expire_all()
    assert live_plan(db_session, "student") is None
    assert str(plan.public_id) not in public_ids(admin_browser.get("/plans/").get_data(
        as_text=True), "plans")
    changes = db_session.scalars(select(AuditEvent.changes).where(
        AuditEvent.target_public_id == str(plan.public_id),
        AuditEvent.action == "record.updated")).one()
    assert changes["price_cents"] == [549, 5990]


@pytest.mark.parametrize(("price", "message"), [
    ("-1", "cannot be negative"), ("1e3", "digits"), ("10.999", "two decimals"),
    ("1000000.01", "more than 1,000,000"), ("", "Enter a price"), ("12\x0034", "NUL"),
])
def test_bad_prices_are_field_errors_and_input_is_kept(admin_browser, db_session, price,
                                                       message):
    response = admin_browser.submit("/plans/new", {**NEW_PLAN, "price_cents": price})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in field_error(page, "price_cents")
    assert form_values(page)["name"] == "Student"
    assert live_plan(db_session, "student") is None


@pytest.mark.parametrize(("field", "value", "message"), [
    ("currency", "XYZ", "Not a valid choice"),
    ("currency", "usd", "Not a valid choice"),
    ("billing_interval", "week", "Not a valid choice"),
    ("trial_days", "-1", "Between 0 and 365"),
    ("trial_days", "366", "Between 0 and 365"),
    ("trial_days", "9" * 40, "Between 0 and 365"),
    ("trial_days", "abc", "Not a valid integer"),
    ("code", "has space", "lowercase letters"),
    ("name", "x" * 101, "100"),
    ("name", "bad\x00name", "NUL"),
])
def test_other_bad_values_are_field_errors(admin_browser, field, value, message):
    response = admin_browser.submit("/plans/new", {**NEW_PLAN, field: value})
    assert response.status_code == 422
    assert message in (field_error(response.get_data(as_text=True), field) or "")


def test_duplicate_code_is_a_form_error_with_input_kept(admin_browser, db_session):
    make_plan(db_session, code="premium-x", name="Premium X")
    db_session.commit()
    response = admin_browser.submit("/plans/new", {**NEW_PLAN, "code": "PREMIUM-X",
                                                   "name": "Another"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "code") == "A plan with code “premium-x” already exists."
    assert form_values(page)["name"] == "Another"
    assert form_values(page)["price_cents"] == "5.49"


def test_a_plan_with_subscribers_cannot_be_deleted(admin_browser, db_session):
    plan = make_plan(db_session, code="busy")
    for _ in range(3):
        make_subscription(db_session, plan=plan)
    make_subscription(db_session, plan=plan, status=SubscriptionStatus.canceled)  # history
    db_session.commit()
    message = "This plan still has 3 subscribers; deactivate it instead."

    page = admin_browser.get(f"/plans/{plan.public_id}/delete")
    assert page.status_code == 200 and message in page.get_data(as_text=True)
    assert "Yes, delete" not in page.get_data(as_text=True)
    response = admin_browser.submit(f"/plans/{plan.public_id}/delete")
    assert response.status_code == 409
    assert message in response.get_data(as_text=True)

    response = admin_browser.submit("/plans/", {"action": "delete", "confirm": "yes",
                                                "ids": [str(plan.public_id)]},
                                    action="/plans/bulk", follow_redirects=True)
    assert message in response.get_data(as_text=True)
    db_session.expire_all()
    assert live_plan(db_session, "busy") is not None

    # Deactivating is the way out.
    data = form_values(admin_browser.get(f"/plans/{plan.public_id}/edit").get_data(as_text=True))
    data.pop("is_active")
    assert admin_browser.submit(f"/plans/{plan.public_id}/edit", data).status_code == 302
    db_session.expire_all()
    assert live_plan(db_session, "busy").is_active is False


def test_filters_and_bad_parameters_never_fail(admin_browser, db_session):
    make_plan(db_session, code="yearly", name="Yearly", billing_interval=BillingInterval.year,
              is_public=False)
    make_plan(db_session, code="monthly", name="Monthly")
    db_session.commit()
    page = admin_browser.get("/plans/?billing_interval=year&is_public=no").get_data(as_text=True)
    assert "Yearly" in page and "Monthly" not in page
    for query in ("billing_interval=week", "is_active=maybe", "sort=nope", "per_page=100000",
                  "page=-1", "after=garbage", "q=%00"):
        assert admin_browser.get(f"/plans/?{query}").status_code in (200, 400), query
    assert admin_browser.get("/plans/not-a-uuid/edit").status_code == 404
    assert admin_browser.get(
        "/plans/00000000-0000-0000-0000-000000000000/delete").status_code == 404


def test_huge_values_are_refused_without_a_crash(admin_browser):
    response = admin_browser.submit("/plans/new", {**NEW_PLAN, "name": "x" * (10 * 1024 * 1024)})
    assert response.status_code == 413


def test_export_lists_prices(admin_browser, db_session):
    make_plan(db_session, code="=cmd", name="=HYPERLINK()", price_cents=1234)
    db_session.commit()
    body = admin_browser.get("/plans/export.csv?q=cmd").get_data(as_text=True)
    assert "12.34 USD" in body and "'=HYPERLINK()" in body


def test_singers_cannot_reach_plans(singer_browser):
    assert singer_browser.get("/plans/").status_code == 403


def test_a_stale_edit_is_refused_and_overwrites_nothing(app, admin_browser, db_session):
    from tests.admin.support import signed_in

    plan = make_plan(db_session, code="shared", price_cents=1000)
    db_session.commit()
    url = f"/plans/{plan.public_id}/edit"
    mine = form_values(admin_browser.get(url).get_data(as_text=True))
    second = signed_in(app, make_second_admin(db_session))
    theirs = form_values(second.get(url).get_data(as_text=True))

    mine["price_cents"] = "12.00"
    assert admin_browser.submit(url, mine).status_code == 302
    theirs["price_cents"] = "15.00"
    response = second.submit(url, theirs)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else saved this plan" in page and form_values(page)["price_cents"] == "15.00"
    db_session.expire_all()
    assert live_plan(db_session, "shared").price_cents == 1200


def make_second_admin(db_session):
    from tests.factories import make_user
    from webadmin.models import UserRole

    user = make_user(db_session, role=UserRole.superadmin, email="second.admin@example.test")
    db_session.commit()
    return user.email
