"""Prices typed as decimals, kept as integer cents; bad input is a message, never a crash."""

from __future__ import annotations

import pytest

from webadmin.plans.money import PriceError, format_price, parse_price


@pytest.mark.parametrize(("text", "cents"), [
    ("10.99", 1099), ("0", 0), ("0.00", 0), ("1000000", 100_000_000), ("7", 700),
    (" 4.5 ", 450), (".99", 99), ("10.", 1000), ("0.01", 1), ("1000000.00", 100_000_000),
])
def test_valid_prices_become_exact_cents(text: str, cents: int) -> None:
    assert parse_price(text) == cents


@pytest.mark.parametrize(("text", "message"), [
    ("-1", "negative"), ("1e3", "digits"), ("10.999", "two decimals"),
    ("1000000.01", "1,000,000"), ("99999999", "digits"), ("", "Enter a price"),
    ("abc", "digits"), ("1,5", "digits"), ("NaN", "digits"), ("inf", "digits"),
    ("\x00", "digits"), ("١٢", "digits"), ("+5", "digits"), ("5" * 10_000, "digits"),
])
def test_invalid_prices_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(PriceError, match=message):
        parse_price(text)


@pytest.mark.parametrize(("cents", "text"), [(0, "0.00"), (1099, "10.99"), (5, "0.05"),
                                             (100_000_000, "1000000.00")])
def test_cents_are_shown_as_decimals(cents: int, text: str) -> None:
    assert format_price(cents) == text
    assert parse_price(text) == cents
