"""Subscriptions (superadmin): listeners on plans; cancel and extend with a confirmation."""

from __future__ import annotations

from ..admin import Column, ModelAdmin, site
from ..admin.filters import ChoiceFilter, DateRangeFilter, RelatedFilter
from ..admin.options import Action
from ..models import SubscriptionStatus, UserSubscription
from ..sources import LISTENER_SOURCE, PLAN_SOURCE
from .forms import SubscriptionForm


@site.register
class SubscriptionAdmin(ModelAdmin):
    model = UserSubscription
    name = "subscriptions"
    nav_order = 45
    list_display = (Column("listener.display_name", "Listener", link=True),
                    Column("plan.name", "Plan"), "status",
                    Column("started_at", "Started", sort="started"),
                    Column("ends_at", "Ends", sort="ends"),
                    Column("canceled_at", "Canceled", secondary=True))
    sortable = {"started": "started_at", "ends": "ends_at", "created": "created_at"}
    ordering = "-started"
    list_filters = (RelatedFilter("plan", PLAN_SOURCE, "Plan"),
                    RelatedFilter("listener", LISTENER_SOURCE, "Listener"),
                    ChoiceFilter("status", SubscriptionStatus, "Status"),
                    DateRangeFilter("started_at", "Started"), DateRangeFilter("ends_at", "Ends"))
    form = SubscriptionForm
    constraint_messages = {"ck_user_subscription_ends_after_start": (
        "ends_at", "The end comes after the start.")}
    actions = (Action("cancel", "Cancel subscription", "canceled", UserSubscription.cancellation),
               Action("extend", "Extend by one period", "extended", UserSubscription.extension))
