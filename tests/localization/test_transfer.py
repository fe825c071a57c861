"""Import parsing: every row-level problem is reported with its line; nothing else happens."""

from __future__ import annotations

import json

import pytest

from webadmin.localization.transfer import (
    MAX_IMPORT_BYTES,
    guard_cell,
    is_valid_locale,
    parse_upload,
)


def errors_of(data: bytes, fmt: str) -> list[str]:
    return [str(error) for error in parse_upload(data, fmt).errors]


def test_a_good_json_file_parses() -> None:
    parsed = parse_upload('{\n  "a.b": "A",\n  "c": "Ç ✓"\n}\n'.encode(), "json")
    assert parsed.ok and parsed.rows == {"a.b": "A", "c": "Ç ✓"}


def test_a_good_csv_file_parses_with_bom_quotes_and_newlines() -> None:
    data = '\ufeffkey,value\r\na,"one, two"\r\nb,"multi\nline"\r\n\r\nc,\r\n'.encode()
    parsed = parse_upload(data, "csv")
    assert parsed.ok, parsed.errors
    assert parsed.rows == {"a": "one, two", "b": "multi\nline", "c": ""}


def test_json_row_errors_carry_line_numbers() -> None:
    data = ('{\n'
            '  "ok": "fine",\n'
            '  "": "empty key",\n'
            f'  "{"k" * 201}": "long",\n'
            '  "ok": "again",\n'
            '  "nul\\u0000key": "x",\n'
            '  "num": 5,\n'
            '  "nulvalue": "a\\u0000b",\n'
            '  "surrogate": "a\\ud800b",\n'
            '  "\\udfffkey": "v"\n'
            '}').encode()
    assert errors_of(data, "json") == [
        "Line 3: the key is empty",
        "Line 4: the key is longer than 200 characters",
        "Line 5: duplicate key “ok” (first on line 2)",
        "Line 6: the key contains a NUL byte or another control character",
        "Line 7: the value must be text (a JSON string)",
        "Line 8: the value contains a NUL byte",
        "Line 9: the value contains an invalid character (a lone UTF-16 surrogate)",
        "Line 10: the key contains an invalid character (a lone UTF-16 surrogate)",
    ]
    # Only the good row survives; a file with errors is never applied anyway.
    assert parse_upload(data, "json").rows == {"ok": "fine"}


def test_csv_row_errors_carry_line_numbers() -> None:
    data = (b'key,value\n'
            b'a,1\n'
            b',empty\n'
            b'a,dup\n'
            b'x,"two\nlines"\n'
            b'too,many,cells\n'
            b'b\x00,nul\n')
    assert errors_of(data, "csv") == [
        "Line 3: the key is empty",
        "Line 4: duplicate key “a” (first on line 2)",
        "Line 7: expected 2 cells (key,value), found 3",
        "Line 8: the key contains a NUL byte or another control character",
    ]


def test_invalid_utf8_is_reported_per_line() -> None:
    data = b"key,value\na,ok\nb,\xff\xfe\nc,fine\nd,\xc3\n"
    assert errors_of(data, "csv") == ["Line 3: not valid UTF-8 text",
                                      "Line 5: not valid UTF-8 text"]


@pytest.mark.parametrize(("data", "fmt", "expected"), [
    (b"", "json", "The file is empty."),
    (b"[1, 2]", "json", 'Line 1: the file must be one JSON object: {"key": "value"}'),
    (b'{"a": "b",}', "json", "Line 1: not valid JSON: Expected a key in double quotes"),
    (b'{"a": "b"} {}', "json", "Line 1: not valid JSON: Extra data after the object"),
    (b'{\n"a" "b"}', "json", "Line 2: not valid JSON: Expected ':'"),
    (b"value,key\na,b\n", "csv", "Line 1: the first line must be the header key,value"),
    (b"key,value\n", "xml", "Choose JSON or CSV."),
])
def test_malformed_files_are_reported(data: bytes, fmt: str, expected: str) -> None:
    assert errors_of(data, fmt) == [expected]


def test_a_file_too_large_is_refused_before_parsing() -> None:
    data = b"{" + b" " * MAX_IMPORT_BYTES + b"}"
    assert errors_of(data, "json") == ["The file is too large (at most 1,024 KB)."]


def test_deep_json_values_do_not_crash() -> None:
    data = b'{"a": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    assert errors_of(data, "json") == ["not valid JSON: nested too deeply"]


def test_a_value_that_is_not_a_string_is_reported_and_dropped() -> None:
    parsed = parse_upload(b'{\n"a": [1],\n"b": null,\n"c": "ok"\n}', "json")
    assert [str(error) for error in parsed.errors] == [
        "Line 2: the value must be text (a JSON string)",
        "Line 3: the value must be text (a JSON string)"]
    assert parsed.rows == {"c": "ok"}


def test_csv_formula_guard_round_trips() -> None:
    assert guard_cell("=SUM(A1)") == "'=SUM(A1)"
    assert guard_cell("-5") == "'-5"
    assert guard_cell("plain") == "plain"
    data = b"key,value\n'=cmd,'+1\n"
    assert parse_upload(data, "csv").rows == {"=cmd": "+1"}


@pytest.mark.parametrize(("code", "valid"), [
    ("en", True), ("de", True), ("pt-BR", True), ("fil", True), ("EN", False), ("pt-br", False),
    ("english", False), ("e", False), ("", False), ("en-", False), ("en\n", False),
    ("de-DE-x", False),
])
def test_locale_codes(code: str, valid: bool) -> None:
    assert is_valid_locale(code) is valid


def test_json_export_is_valid_json_shape() -> None:
    # The streamed JSON export is a flat object; parse_upload accepts what export writes.
    text = '{\n  "a": "x",\n  "b": "\\"q\\""\n}\n'
    assert json.loads(text) == parse_upload(text.encode(), "json").rows
