"""Plan rules that need the database."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import SubscriptionPlan, SubscriptionStatus, UserSubscription, live

# Subscriptions that still bill or will bill: canceled and expired ones are history.
CURRENT_STATUSES = (SubscriptionStatus.trialing, SubscriptionStatus.active,
                    SubscriptionStatus.past_due)


def subscriber_count(session: Session, plan: SubscriptionPlan) -> int:
    """Live, current subscriptions on ``plan`` (one indexed COUNT on plan_id)."""
    return session.scalar(
        select(func.count()).select_from(UserSubscription).where(
            UserSubscription.plan_id == plan.id,
            live(UserSubscription),
            UserSubscription.status.in_(CURRENT_STATUSES))) or 0


def subscribers_message(count: int) -> str:
    noun = "subscriber" if count == 1 else "subscribers"
    return f"This plan still has {count:,} {noun}; deactivate it instead."
