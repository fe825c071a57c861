from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, Index, Integer, String, func, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model
from .enums import BillingInterval, enum_column_type
from .sql import live_only

if TYPE_CHECKING:
    from .subscription import UserSubscription

MAX_TRIAL_DAYS = 365


class SubscriptionPlan(Model):
    __tablename__ = "subscription_plan"
    __table_args__ = (
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
        CheckConstraint(f"trial_days >= 0 AND trial_days <= {MAX_TRIAL_DAYS}",
                        name="trial_days_range"),
        CheckConstraint("length(currency) = 3", name="currency_iso4217"),
        CheckConstraint("length(code) >= 1", name="code_not_empty"),
    )

    code: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(100), index=True)
    price_cents: Mapped[int] = mapped_column(Integer, index=True)
    currency: Mapped[str] = mapped_column(String(3), default="USD", server_default="USD")
    billing_interval: Mapped[BillingInterval] = mapped_column(
        enum_column_type(BillingInterval, "billing_interval"), default=BillingInterval.month,
        server_default=BillingInterval.month.value)
    trial_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true(),
                                            index=True)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true(),
                                            index=True)

    subscriptions: Mapped[list[UserSubscription]] = relationship(back_populates="plan")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


Index("uq_subscription_plan_code_live", func.lower(SubscriptionPlan.code), unique=True,
      **live_only())
