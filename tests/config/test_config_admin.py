"""Config end to end: typed values validated by type, canonical storage, who saved it."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from tests.admin.support import field_error, form_values, public_ids
from tests.factories import make_config
from webadmin.models import ConfigValueType, SystemConfig


def live_setting(db_session, key):
    db_session.expire_all()
    return db_session.scalars(select(SystemConfig).where(
        SystemConfig.key == key, SystemConfig.deleted_at.is_(None))).one_or_none()


def test_create_edit_delete_round_trip(admin_browser, db_session, users):
    response = admin_browser.submit("/config/new", {
        "key": "player.crossfade_seconds", "value_type": "int", "value": " 1_2 ",
        "description": "Seconds of overlap."})
    assert response.status_code == 302, response.get_data(as_text=True)
    setting = live_setting(db_session, "player.crossfade_seconds")
    assert (setting.value_type, setting.value) == (ConfigValueType.int, "12")
    assert setting.updated_by_user_id == users.superadmin.id

    page = admin_browser.get(f"/config/{setting.public_id}/edit").get_data(as_text=True)
    data = form_values(page)
    assert data["value"] == "12" and data["value_type"] == "int"
    data["value"] = "-3"
    assert admin_browser.submit(f"/config/{setting.public_id}/edit", data).status_code == 302
    assert live_setting(db_session, "player.crossfade_seconds").value == "-3"
    listing = admin_browser.get("/config/?value_type=int").get_data(as_text=True)
    assert "player.crossfade_seconds" in listing and "Ada Admin" in listing

    assert admin_browser.submit(f"/config/{setting.public_id}/delete").status_code == 302
    assert live_setting(db_session, "player.crossfade_seconds") is None
    assert str(setting.public_id) not in public_ids(
        admin_browser.get("/config/").get_data(as_text=True), "config")


@pytest.mark.parametrize(("value_type", "value", "message"), [
    ("bool", "maybe", "true or false"),
    ("int", "12.5", "whole number"),
    ("int", str(2**63), "out of range"),
    ("int", "-" + "9" * 30, "whole number"),
    ("json", "{'single': 'quotes'}", "not valid JSON"),
    ("json", "", "Enter a JSON"),
    ("string", "x" * 10_001, "at most 10,000"),
    ("string", "nul\x00byte", "NUL"),
    ("color", "red", None),
])
def test_values_are_validated_by_type_and_input_kept(admin_browser, db_session, value_type,
                                                     value, message):
    response = admin_browser.submit("/config/new", {"key": "some.key", "value_type": value_type,
                                                    "value": value, "description": "kept"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    if message is None:
        assert field_error(page, "value_type") == "Not a valid choice."
    else:
        assert message in field_error(page, "value")
    assert form_values(page)["key"] == "some.key"
    assert live_setting(db_session, "some.key") is None


@pytest.mark.parametrize("key", ["Upper", "1digit", "has-dash", "with space", "x" * 101, ""])
def test_key_format(admin_browser, key):
    response = admin_browser.submit("/config/new", {"key": key, "value_type": "string",
                                                    "value": "v"})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "key")


def test_json_is_stored_canonically_and_pretty_printed_on_edit(admin_browser, db_session):
    response = admin_browser.submit("/config/new", {
        "key": "home.rows", "value_type": "json", "value": '{"b": [1, 2], "a": "ü"}'})
    assert response.status_code == 302
    setting = live_setting(db_session, "home.rows")
    assert setting.value == '{"a": "ü", "b": [1, 2]}'
    data = form_values(admin_browser.get(f"/config/{setting.public_id}/edit").get_data(
        as_text=True))
    assert data["value"] == json.dumps({"a": "ü", "b": [1, 2]}, indent=2, sort_keys=True,
                                       ensure_ascii=False)


def test_changing_the_type_revalidates_the_value(admin_browser, db_session):
    setting = make_config(db_session, key="max_items", value_type=ConfigValueType.int,
                          value="200")
    db_session.commit()
    data = form_values(admin_browser.get(f"/config/{setting.public_id}/edit").get_data(
        as_text=True))
    data["value_type"] = "bool"  # "200" is not a boolean
    response = admin_browser.submit(f"/config/{setting.public_id}/edit", data)
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "value") == "Choose true or false."
    assert live_setting(db_session, "max_items").value_type is ConfigValueType.int

    data.update(value_type="string")  # any text is a string: allowed, stored as typed
    assert admin_browser.submit(f"/config/{setting.public_id}/edit", data).status_code == 302
    setting = live_setting(db_session, "max_items")
    assert (setting.value_type, setting.value) == (ConfigValueType.string, "200")


def test_bool_values_are_normalised(admin_browser, db_session):
    admin_browser.submit("/config/new", {"key": "beta.on", "value_type": "bool", "value": "Yes"})
    assert live_setting(db_session, "beta.on").value == "true"


def test_duplicate_key_is_a_form_error_with_input_kept(admin_browser, db_session):
    make_config(db_session, key="signup_open", value_type=ConfigValueType.bool, value="true")
    db_session.commit()
    response = admin_browser.submit("/config/new", {"key": "signup_open", "value_type": "bool",
                                                    "value": "false", "description": "mine"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "key") == "A setting “signup_open” already exists."
    assert form_values(page)["description"] == "mine"


def test_huge_values_are_refused_without_a_crash(admin_browser):
    response = admin_browser.submit("/config/new", {"key": "big", "value_type": "json",
                                                    "value": "[" + "1," * (5 * 1024 * 1024)})
    assert response.status_code == 413
    response = admin_browser.submit("/config/new", {"key": "big", "value_type": "json",
                                                    "value": "[" + "1," * 40_000 + "1]"})
    assert response.status_code == 422
    assert "too large" in field_error(response.get_data(as_text=True), "value")


def test_a_boolean_setting_is_edited_with_a_true_false_choice(admin_browser, db_session):
    setting = make_config(db_session, key="maintenance", value_type=ConfigValueType.bool,
                          value="false")
    db_session.commit()
    page = admin_browser.get(f"/config/{setting.public_id}/edit").get_data(as_text=True)
    assert re.search(r'<select [^>]*name="value"', page)
    assert '<option value="false" selected>false</option>' in page
    data = form_values(page)
    assert data["value"] == "false"
    data["value"] = "true"
    assert admin_browser.submit(f"/config/{setting.public_id}/edit", data).status_code == 302
    assert live_setting(db_session, "maintenance").value == "true"
