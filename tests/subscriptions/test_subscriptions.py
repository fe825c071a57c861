"""Subscriptions (superadmin): filters by plan, status and dates; cancel and extend behind a
confirmation with audit entries; plan and listener pages lead to them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.admin.support import public_ids
from tests.factories import make_plan, make_subscription, make_user
from tests.helpers import csrf_token_from
from webadmin.models import AuditEvent, BillingInterval, SubscriptionStatus, UserRole


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


@pytest.fixture
def rows(db_session, users):
    monthly = make_plan(db_session, name="Monthly", code="monthly")
    yearly = make_plan(db_session, name="Yearly", code="yearly",
                       billing_interval=BillingInterval.year)
    other = make_user(db_session, role=UserRole.listener, display_name="Other Listener")
    subs = {
        "jan": make_subscription(db_session, listener=users.listener, plan=monthly,
                                 started_at=at("2026-01-10T08:00"), ends_at=at("2026-02-10T08:00")),
        "mar": make_subscription(db_session, listener=other, plan=yearly,
                                 started_at=at("2026-03-31T23:30"), ends_at=at("2027-03-31T23:30")),
        "old": make_subscription(db_session, listener=other, plan=monthly,
                                 status=SubscriptionStatus.canceled,
                                 started_at=at("2025-05-01T00:00"),
                                 canceled_at=at("2025-06-01T00:00")),
    }
    db_session.commit()
    return {"monthly": monthly, "yearly": yearly, **subs}


def listed(browser, query):
    response = browser.get(f"/subscriptions/?{query}")
    assert response.status_code == 200
    return set(public_ids(response.get_data(as_text=True), "subscriptions"))


def ids(rows, *names):
    return {str(rows[name].public_id) for name in names}


def test_filters_by_plan_status_and_dates(admin_browser, rows):
    assert listed(admin_browser, "") == ids(rows, "jan", "mar", "old")
    assert listed(admin_browser, f"plan={rows['monthly'].public_id}") == ids(rows, "jan", "old")
    assert listed(admin_browser, "plan=yearly") == ids(rows, "mar")  # a code works too
    assert listed(admin_browser, "status=canceled") == ids(rows, "old")
    # Whole UTC days on timestamps: the 31st includes 23:30.
    assert listed(admin_browser, "started_at_from=2026-03-31&started_at_to=2026-03-31") == \
        ids(rows, "mar")
    assert listed(admin_browser, "started_at_to=2026-01-10") == ids(rows, "jan", "old")
    assert listed(admin_browser, "ends_at_from=2027-01-01") == ids(rows, "mar")
    for bad in ("started_at_from=yesterday", "status=nope", "plan=nope", "sort=-nope"):
        assert admin_browser.get(f"/subscriptions/?{bad}").status_code == 200
    assert admin_browser.get("/subscriptions/?plan=%00").status_code == 400  # the input guard


def test_cancel_asks_first_then_cancels_with_an_audit_entry(admin_browser, rows, db_session):
    sub = rows["jan"]
    url = f"/subscriptions/{sub.public_id}/do/cancel"
    page = admin_browser.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Cancel subscription?" in html and "Canceled" in html
    db_session.expire_all()
    assert db_session.get(type(sub), sub.id).status is SubscriptionStatus.active  # GET: nothing
    response = admin_browser.client.post(url, data={
        "csrf_token": csrf_token_from(html), "version_id": str(sub.version_id)})
    assert response.status_code == 302
    db_session.expire_all()
    sub = db_session.get(type(sub), sub.id)
    assert sub.status is SubscriptionStatus.canceled and sub.canceled_at is not None
    event = db_session.scalars(select(AuditEvent).where(
        AuditEvent.target_public_id == str(sub.public_id))).one()
    assert event.action == "record.canceled"
    assert event.changes["status"] == ["active", "canceled"]
    # Canceling again is refused with the reason; nothing is written.
    again = admin_browser.get(url)
    assert again.status_code == 409 and "already canceled" in again.get_data(as_text=True)
    response = admin_browser.client.post(url, data={
        "csrf_token": csrf_token_from(html), "version_id": str(sub.version_id)})
    assert response.status_code == 409


def test_extend_adds_one_billing_period_and_refuses_a_stale_page(admin_browser, rows, db_session):
    sub = rows["mar"]  # yearly, ends 2027-03-31
    url = f"/subscriptions/{sub.public_id}/do/extend"
    html = admin_browser.get(url).get_data(as_text=True)
    assert "2028-03-31" in html
    stale = {"csrf_token": csrf_token_from(html), "version_id": str(sub.version_id - 1)}
    assert admin_browser.client.post(url, data=stale).status_code == 409
    fresh = {"csrf_token": csrf_token_from(html), "version_id": str(sub.version_id)}
    assert admin_browser.client.post(url, data=fresh).status_code == 302
    db_session.expire_all()
    sub = db_session.get(type(sub), sub.id)
    assert sub.ends_at == at("2028-03-31T23:30")
    assert db_session.scalars(select(AuditEvent.action).where(
        AuditEvent.target_public_id == str(sub.public_id))).all() == ["record.extended"]
    # Without a CSRF token nothing happens.
    assert admin_browser.client.post(url, data={"version_id": str(sub.version_id)}
                                     ).status_code == 400


def test_month_end_extension_stays_in_the_next_month(db_session, rows):
    sub = rows["jan"]
    sub.ends_at = at("2027-01-31T10:00")
    assert sub.extended_end(at("2026-12-01T00:00")) == at("2027-02-28T10:00")


def test_unknown_action_and_forged_ids_are_404(admin_browser, rows):
    sub = rows["jan"]
    assert admin_browser.get(f"/subscriptions/{sub.public_id}/do/explode").status_code == 404
    assert admin_browser.get("/subscriptions/not-a-uuid/do/cancel").status_code == 404


def test_plan_page_links_to_its_subscribers(admin_browser, rows):
    plan = rows["monthly"]
    page = admin_browser.get(f"/plans/{plan.public_id}/edit").get_data(as_text=True)
    assert "Subscribers" in page
    assert f"/subscriptions/?plan={plan.public_id}" in page


def test_listener_page_shows_their_subscriptions(admin_browser, users, rows):
    page = admin_browser.get(f"/users/{users.listener.public_id}/edit").get_data(as_text=True)
    panel = page.split("Subscriptions")[-2] + page.split("Subscriptions")[-1]
    assert "Monthly" in panel and "Yearly" not in panel
    assert f"/subscriptions/?listener={users.listener.public_id}" in page


def test_superadmin_adds_a_subscription(admin_browser, users, rows, db_session):
    data = {"listener": users.listener.email, "plan": "yearly", "status": "trialing",
            "started_at": "2026-05-01T09:30", "ends_at": "2026-04-01T00:00"}
    response = admin_browser.submit("/subscriptions/new", data)
    assert response.status_code == 422
    assert "The end comes after the start." in response.get_data(as_text=True)
    response = admin_browser.submit("/subscriptions/new", {**data, "ends_at": ""})
    assert response.status_code == 302
    assert listed(admin_browser, "status=trialing")


def test_a_change_committed_meanwhile_wins_and_nothing_is_written(admin_browser, rows, db_session,
                                                                  monkeypatch):
    """Someone extends the same subscription between this page's check and its write: the
    version check refuses the second write; no second extension, no second audit entry."""
    from sqlalchemy import text

    from webadmin.admin import site
    from webadmin.admin.options import Action
    from webadmin.models import UserSubscription

    admin = site["subscriptions"]
    sub = rows["jan"]
    url = f"/subscriptions/{sub.public_id}/do/extend"
    html = admin_browser.get(url).get_data(as_text=True)

    def extension_while_someone_else_saves(obj):
        values = UserSubscription.extension(obj)
        from webadmin.db import session as app_session

        app_session().execute(text("UPDATE user_subscription SET version_id = version_id + 1 "
                                   "WHERE id = :id"), {"id": obj.id})
        return values

    monkeypatch.setattr(admin, "actions", (Action("extend", "Extend", "extended",
                                                  extension_while_someone_else_saves),))
    response = admin_browser.client.post(url, data={
        "csrf_token": csrf_token_from(html), "version_id": str(sub.version_id)})
    assert response.status_code == 302
    follow = admin_browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "nothing was done" in follow
    db_session.expire_all()
    assert db_session.get(UserSubscription, sub.id).ends_at == at("2026-02-10T08:00")
    assert db_session.scalars(select(AuditEvent).where(
        AuditEvent.target_public_id == str(sub.public_id))).all() == []


def test_list_and_plan_page_statements_do_not_grow_with_rows(app, admin_browser, rows,
                                                             db_session):
    from tests.admin.support import count_statements

    def statements(url):
        admin_browser.get(url)
        with count_statements(app) as seen:
            assert admin_browser.get(url).status_code == 200
        return len(seen)

    plan_page = f"/plans/{rows['monthly'].public_id}/edit"
    before = (statements("/subscriptions/?per_page=10"), statements(plan_page))
    for _ in range(25):
        make_subscription(db_session, plan=rows["monthly"])
    db_session.commit()
    after = (statements("/subscriptions/?per_page=10"), statements(plan_page))
    assert before == after, (before, after)
