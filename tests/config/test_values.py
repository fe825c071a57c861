"""Typed setting values: each type has its own rules and a canonical stored text."""

from __future__ import annotations

import json

import pytest

from webadmin.models import ConfigValueType as T
from webadmin.sysconfig.values import ConfigValueError, display_value, normalize_value


@pytest.mark.parametrize(("value_type", "raw", "stored"), [
    (T.bool, "true", "true"), (T.bool, " False ", "false"), (T.bool, "1", "true"),
    (T.bool, "off", "false"),
    (T.int, "200", "200"), (T.int, "-5", "-5"), (T.int, " 1_000 ", "1000"),
    (T.int, str(2**63 - 1), str(2**63 - 1)), (T.int, str(-(2**63)), str(-(2**63))),
    (T.string, "  spaced  ", "  spaced  "), (T.string, "", ""),
    (T.json, '["pop", "rock"]', '["pop", "rock"]'), (T.json, '{"b": 1, "a": [1, 2]}',
                                                     '{"a": [1, 2], "b": 1}'),
    (T.json, "null", "null"), (T.json, '"ü"', '"ü"'),
])
def test_valid_values_are_normalised(value_type: T, raw: str, stored: str) -> None:
    assert normalize_value(value_type, raw) == stored


@pytest.mark.parametrize(("value_type", "raw", "message"), [
    (T.bool, "maybe", "true or false"), (T.bool, "", "true or false"),
    (T.int, "1.5", "whole number"), (T.int, "abc", "whole number"), (T.int, "", "whole number"),
    (T.int, str(2**63), "out of range"), (T.int, str(-(2**63) - 1), "out of range"),
    (T.int, "9" * 10_000, "whole number"), (T.int, "+-5", "whole number"),
    (T.int, "²", "whole number"),
    (T.string, "a\x00b", "NUL"), (T.string, "x" * 10_001, "at most"),
    (T.json, "{", "not valid JSON"), (T.json, "", "Enter a JSON"), (T.json, "NaN", "not valid"),
    (T.json, "[" * 100_000, "too large"), (T.json, "[" * 5000 + "]" * 5000, "nested"),
    (T.json, json.dumps("x" * 70_000), "too large"), (T.json, "{} {}", "not valid JSON"),
])
def test_invalid_values_are_refused(value_type: T, raw: str, message: str) -> None:
    with pytest.raises(ConfigValueError, match=message):
        normalize_value(value_type, raw)


def test_json_is_pretty_printed_for_editing() -> None:
    assert display_value(T.json, '{"a": [1, 2]}') == '{\n  "a": [\n    1,\n    2\n  ]\n}'
    assert display_value(T.int, "5") == "5"
