"""The plan form: price typed as a decimal and kept in cents, currency, interval, trial days."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Regexp,
    ValidationError,
)

from ..admin.forms import AdminForm
from ..models import BillingInterval
from ..models.plan import MAX_TRIAL_DAYS
from .money import CURRENCIES, PriceError, format_price, parse_price

CODE_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _strip_lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def no_control_characters(_form: Any, field: Any) -> None:
    if isinstance(field.data, str) and any(ord(ch) < 32 for ch in field.data):
        raise ValidationError("Remove the control characters (such as NUL) from this text.")


class PriceField(StringField):
    """Shows "10.99", holds 1099 (int cents) in ``data``; a bad value is a field error."""

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return format_price(self.data)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        try:
            self.data = parse_price(str(valuelist[0]))
        except PriceError as exc:
            self.data = None
            raise ValueError(str(exc)) from exc


class PlanForm(AdminForm):
    code = StringField(
        "Code", filters=[_strip_lower],
        validators=[DataRequired(), Length(max=50),
                    Regexp(CODE_PATTERN, message="Use lowercase letters, digits, - and _.")],
        description="Stable identifier used by the apps and billing, e.g. premium-annual.")
    name = StringField("Name", filters=[_strip],
                       validators=[DataRequired(), Length(max=100), no_control_characters])
    price_cents = PriceField("Price", validators=[
        InputRequired(message="Enter a price, e.g. 9.99 (0 for a free plan).")],
                             description="In the plan's currency, e.g. 10.99; 0 for free.",
                             render_kw={"inputmode": "decimal", "autocomplete": "off"})
    currency = SelectField("Currency", choices=[SelectChoice(code) for code in CURRENCIES],
                           default="USD", validate_choice=True)
    billing_interval = SelectField(
        "Billing interval", choices=[SelectChoice(i.value, f"Every {i.value}")
                 for i in BillingInterval],
        default=BillingInterval.month.value, coerce=str)
    trial_days = IntegerField(
        "Trial days", default=0, render_kw={"inputmode": "numeric"},
        validators=[InputRequired(message="Enter a number of days (0 for no trial)."),
                    NumberRange(min=0, max=MAX_TRIAL_DAYS,
                                message=f"Between 0 and {MAX_TRIAL_DAYS} days.")])
    is_active = BooleanField("Active (new subscriptions allowed)", default=True)
    is_public = BooleanField("Public (shown on the pricing page)", default=True)

    def populate_obj(self, obj: Any) -> None:
        super().populate_obj(obj)
        if isinstance(obj.billing_interval, str):
            obj.billing_interval = BillingInterval(obj.billing_interval)
