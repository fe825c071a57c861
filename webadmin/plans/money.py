"""Prices as people type them ("10.99") and as the database keeps them (integer cents).

Decimal all the way: a float would turn 10.99 into 1098 cents on a bad day.
"""

from __future__ import annotations

import re
from decimal import Decimal

MAX_PRICE = Decimal("1000000")
# Digits, an optional dot and at most two decimals: no exponent, no sign, no thousands separator.
PRICE_PATTERN = re.compile(r"(?:\d{1,7})(?:\.\d{0,2})?|\.\d{1,2}", re.ASCII)

# ISO 4217 codes a streaming service may plausibly bill in. Unknown codes are refused rather
# than trusted: a typo ("EUD") would otherwise become a plan nobody can pay for.
CURRENCIES: tuple[str, ...] = (
    "AED", "ARS", "AUD", "BGN", "BRL", "CAD", "CHF", "CLP", "CNY", "COP", "CZK", "DKK", "EGP",
    "EUR", "GBP", "HKD", "HUF", "IDR", "ILS", "INR", "ISK", "JPY", "KES", "KRW", "MAD", "MXN",
    "MYR", "NGN", "NOK", "NZD", "PEN", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "SAR", "SEK",
    "SGD", "THB", "TRY", "TWD", "UAH", "USD", "VND", "ZAR",
)


class PriceError(ValueError):
    pass


def parse_price(text: str) -> int:
    """"10.99" → 1099. Raises PriceError with a message for the form."""
    raw = (text or "").strip()
    if not raw:
        raise PriceError("Enter a price, e.g. 9.99 (0 for a free plan).")
    if raw.startswith("-"):
        raise PriceError("The price cannot be negative.")
    if not PRICE_PATTERN.fullmatch(raw):
        if re.fullmatch(r"\d+\.\d{3,}", raw, re.ASCII):
            raise PriceError("Use at most two decimals, e.g. 10.99.")
        raise PriceError("Enter a price like 10.99, with digits and at most two decimals.")
    amount = Decimal(raw)
    if amount > MAX_PRICE:
        raise PriceError("The price cannot be more than 1,000,000.")
    return int((amount * 100).to_integral_exact())


def format_price(cents: int | None) -> str:
    """1099 → "10.99" (what the edit form shows)."""
    if cents is None:
        return ""
    return f"{Decimal(cents) / 100:.2f}"
