from __future__ import annotations

import calendar
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, utcnow
from .enums import BillingInterval, SubscriptionStatus, enum_column_type
from .sql import live_only

if TYPE_CHECKING:
    from .plan import SubscriptionPlan
    from .user import User


class UserSubscription(Model):
    """A listener on a plan. The plan cannot be hard-deleted while this row exists."""

    __tablename__ = "user_subscription"
    __table_args__ = (
        CheckConstraint("ends_at IS NULL OR ends_at >= started_at", name="ends_after_start"),
        CheckConstraint("canceled_at IS NULL OR canceled_at >= started_at",
                        name="canceled_after_start"),
        # Keyset paging of the subscriptions list: every sort and filter, paired with id.
        Index("ix_user_subscription_live_started", "started_at", "id", **live_only()),
        Index("ix_user_subscription_live_ends", "ends_at", "id", **live_only()),
        Index("ix_user_subscription_live_created", "created_at", "id", **live_only()),
        Index("ix_user_subscription_live_plan_started", "plan_id", "started_at", "id",
              **live_only()),
        Index("ix_user_subscription_live_status_started", "status", "started_at", "id",
              **live_only()),
        Index("ix_user_subscription_live_listener_started", "listener_user_id", "started_at",
              "id", **live_only()),
    )

    listener_user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), index=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("subscription_plan.id", ondelete="RESTRICT"), index=True)
    status: Mapped[SubscriptionStatus] = mapped_column(
        enum_column_type(SubscriptionStatus, "subscription_status"),
        default=SubscriptionStatus.active, server_default=SubscriptionStatus.active.value,
        index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ends_at: Mapped[datetime | None] = mapped_column(default=None)
    canceled_at: Mapped[datetime | None] = mapped_column(default=None)

    listener: Mapped[User] = relationship(back_populates="subscriptions")
    plan: Mapped[SubscriptionPlan] = relationship(back_populates="subscriptions")

    def __str__(self) -> str:
        return f"{self.listener.display_name} on {self.plan.name}"

    @property
    def is_current(self) -> bool:
        return self.status not in (SubscriptionStatus.canceled, SubscriptionStatus.expired)

    def cancellation(self) -> dict[str, object]:
        """The values canceling sets; ValueError when there is nothing to cancel."""
        if not self.is_current:
            raise ValueError(f"This subscription is already {self.status.value}.")
        return {"status": SubscriptionStatus.canceled, "canceled_at": utcnow()}

    def extension(self) -> dict[str, object]:
        """The values extending by one billing period sets; ValueError when it has ended."""
        if not self.is_current:
            raise ValueError(f"A {self.status.value} subscription cannot be extended.")
        return {"ends_at": self.extended_end(utcnow())}

    def extended_end(self, now: datetime) -> datetime:
        """One billing period more, from the current end (or from now, if that has passed)."""
        start = max(self.ends_at or now, now)
        months = 12 if self.plan.billing_interval is BillingInterval.year else 1
        year, month = divmod(start.month - 1 + months, 12)
        day = min(start.day, calendar.monthrange(start.year + year, month + 1)[1])
        return start.replace(year=start.year + year, month=month + 1, day=day)
