from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, utcnow
from .enums import SubscriptionStatus, enum_column_type

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
