"""The plans section: prices typed as decimals, kept in cents; plans with subscribers are
deactivated, never deleted."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ..admin import site
from ..admin.filters import BooleanFilter, ChoiceFilter
from ..admin.options import Column, Impact, ModelAdmin, RelatedList
from ..models import BillingInterval, SubscriptionPlan, User, UserRole
from .forms import PlanForm
from .money import format_price
from .services import subscriber_count, subscribers_message


@site.register
class PlanAdmin(ModelAdmin):
    model = SubscriptionPlan
    name = "plans"
    roles = {UserRole.superadmin}
    nav_order = 40
    list_display = (
        Column("name", "Name", sort="name", link=True),
        Column("code", "Code", sort="code"),
        Column("price", "Price", sort="price", numeric=True),
        Column("billing_interval", "Interval"),
        Column("trial_days", "Trial days", numeric=True),
        Column("is_active", "Active"),
        Column("is_public", "Public"),
    )
    csv_columns = ("code", "name", "price", "currency", "billing_interval", "trial_days",
                   "is_active", "is_public", "created_at")
    sortable = {"name": "name", "code": "code", "price": "price_cents",
                "created": "created_at"}
    ordering = "price"
    search_fields = ("name", "code")
    search_hint = "Name or code"
    list_filters = (
        BooleanFilter("is_active", "Active"),
        BooleanFilter("is_public", "Public"),
        ChoiceFilter("billing_interval", BillingInterval, "Interval"),
    )
    form = PlanForm
    change_formats = {"price_cents": format_price}
    related_lists = (RelatedList("subscriptions", "plan", "Subscribers", filter_param="plan",
                                 order_by=("-started_at",)),)
    fieldsets = (("Plan", ("name", "code")),
                 ("Price", ("price_cents", "currency", "billing_interval", "trial_days")),
                 ("Availability", ("is_active", "is_public")))
    save_as_new = True  # "Premium" → "Premium yearly": copy, change the code and the price
    constraint_messages = {
        "uq_subscription_plan_code_live": ("code", "A plan with code “{code}” already exists."),
        "ck_subscription_plan_price_not_negative": ("price_cents",
                                                    "The price cannot be negative."),
        "ck_subscription_plan_trial_days_range": ("trial_days", "Between 0 and 365 days."),
        "ck_subscription_plan_currency_iso4217": ("currency", "Choose a currency."),
    }

    def price(self, plan: SubscriptionPlan) -> str:
        return f"{format_price(plan.price_cents)} {plan.currency}"

    def populate(self, obj: Any, form: Any, user: User) -> None:
        super().populate(obj, form, user)
        obj.billing_interval = BillingInterval(form.billing_interval.data)

    def delete_impact(self, session: Session, obj: Any, user: User) -> list[Impact]:
        count = subscriber_count(session, obj)
        if not count:
            return []
        return [Impact("Current subscribers", count, blocks=True,
                       message=subscribers_message(count))]
