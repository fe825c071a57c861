from __future__ import annotations

from datetime import UTC
from typing import Any

from wtforms import DateTimeLocalField, SelectChoice, SelectField
from wtforms.validators import DataRequired, Optional, ValidationError

from ..admin.forms import AdminForm, RelatedField
from ..models import SubscriptionStatus
from ..sources import LISTENER_SOURCE, PLAN_SOURCE


class UTCDateTimeField(DateTimeLocalField):
    """A date and time typed in UTC (the page says so); stored timezone-aware."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None:
            self.data = self.data.replace(tzinfo=UTC)

    def _value(self) -> str:
        return self.data.astimezone(UTC).strftime("%Y-%m-%dT%H:%M") if self.data else ""


class SubscriptionForm(AdminForm):
    listener = RelatedField("Listener", source=LISTENER_SOURCE, select_limit=50)
    plan = RelatedField("Plan", source=PLAN_SOURCE)
    status = SelectField("Status", choices=[SelectChoice(s.value, s.value.replace("_", " ").title())
                                            for s in SubscriptionStatus],
                         coerce=lambda value: SubscriptionStatus(value) if value else None,
                         default=SubscriptionStatus.active.value)
    started_at = UTCDateTimeField("Started (UTC)", validators=[DataRequired("Enter the start.")])
    ends_at = UTCDateTimeField("Ends (UTC)", validators=[Optional()],
                               description="Leave blank for no end date.")

    def validate_ends_at(self, field: Any) -> None:
        if field.data and self.started_at.data and field.data < self.started_at.data:
            raise ValidationError("The end comes after the start.")
