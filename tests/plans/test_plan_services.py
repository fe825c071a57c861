from __future__ import annotations

from sqlalchemy.orm import Session

from tests.factories import make_plan, make_subscription
from webadmin.models import SubscriptionStatus
from webadmin.plans.services import subscriber_count, subscribers_message


def test_subscriber_count_counts_current_live_subscriptions(db_session: Session) -> None:
    plan = make_plan(db_session)
    for status in (SubscriptionStatus.active, SubscriptionStatus.trialing,
                   SubscriptionStatus.past_due, SubscriptionStatus.canceled,
                   SubscriptionStatus.expired):
        make_subscription(db_session, plan=plan, status=status)
    make_subscription(db_session)  # another plan
    assert subscriber_count(db_session, plan) == 3
    assert subscribers_message(3) == "This plan still has 3 subscribers; deactivate it instead."
    assert subscribers_message(1) == "This plan still has 1 subscriber; deactivate it instead."
