"""Issue 9, must show 1: in every section a row created, edited, deleted, restored (from /audit/)
and purged (from /audit/) through the web forms leaves entries with the right actor, action and
before/after values — and the entries outlive the purged row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from tests.admin.support import form_values
from tests.audit.support import audit_action, entries_of, key_of
from tests.factories import make_genre
from webadmin.models import (
    Genre,
    LocalizationString,
    Song,
    SubscriptionPlan,
    SystemConfig,
    User,
)


@dataclass(frozen=True)
class Case:
    section: str
    model: Any
    find: dict[str, Any]  # natural key of the created row
    create: dict[str, Any]
    field: str  # the form field edited
    new_value: str
    stored: tuple[Any, Any]  # (before, after) as the entry stores them
    shown: tuple[str, str]  # as /audit/log shows them (the form's way)
    label: str  # the form's label of the field


CASES = [
    Case("users", User, {"email": "nova@example.test"},
         {"email": "nova@example.test", "display_name": "Nova", "role": "singer",
          "password": "a long enough password 123", "confirm": "a long enough password 123",
          "is_active": "y"},
         "display_name", "Nova Star", ("Nova", "Nova Star"), ("Nova", "Nova Star"),
         "Display name"),
    Case("songs", Song, {"title": "Blue Hour"},
         {"title": "Blue Hour", "duration_seconds": "3:45", "status": "draft", "lyrics": ""},
         "duration_seconds", "4:05", (225, 245), ("3:45", "4:05"), "Duration"),
    Case("genres", Genre, {"name": "Lo-fi"},
         {"name": "Lo-fi", "slug": "lo-fi", "description": ""},
         "description", "Slow beats", ("", "Slow beats"), ("—", "Slow beats"), "Description"),
    Case("plans", SubscriptionPlan, {"code": "student"},
         {"code": "student", "name": "Student", "price_cents": "5.49", "currency": "EUR",
          "billing_interval": "month", "trial_days": "14", "is_active": "y", "is_public": "y"},
         "price_cents", "6.00", (549, 600), ("5.49", "6.00"), "Price"),
    Case("localization", LocalizationString, {"key": "player.shuffle", "locale": "de"},
         {"key": "player.shuffle", "locale": "de", "value": "Zufall"},
         "value", "Zufallswiedergabe", ("Zufall", "Zufallswiedergabe"),
         ("Zufall", "Zufallswiedergabe"), "Text"),
    Case("config", SystemConfig, {"key": "player.max_queue"},
         {"key": "player.max_queue", "value_type": "string", "value": "100", "description": ""},
         "value", "250", ("100", "250"), ("100", "250"), "Value"),
]


def find(db_session, case: Case) -> Any:
    return db_session.scalars(select(case.model).filter_by(**case.find).execution_options(
        populate_existing=True)).one_or_none()


@pytest.mark.parametrize("case", CASES, ids=[case.section for case in CASES])
def test_create_edit_delete_restore_purge_are_all_in_the_log(admin_browser, db_session, users,
                                                             case):
    data = dict(case.create)
    if case.section == "songs":
        genre = make_genre(db_session)
        db_session.commit()
        data.update(genre=str(genre.public_id), artist=users.singer.email)
    response = admin_browser.submit(f"/{case.section}/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    row = find(db_session, case)
    public_id = row.public_id

    edit_url = f"/{case.section}/{public_id}/edit"
    values = form_values(admin_browser.get(edit_url).get_data(as_text=True))
    values[case.field] = case.new_value
    assert admin_browser.submit(edit_url, values).status_code == 302

    assert admin_browser.submit(f"/{case.section}/{public_id}/delete").status_code == 302
    assert find(db_session, case) is None or find(db_session, case).deleted_at is not None
    deleted_page = admin_browser.get(f"/audit/?section={case.section}").get_data(as_text=True)
    assert str(public_id) in deleted_page

    assert audit_action(admin_browser, "restore", key_of(case.section, row)).status_code == 302
    db_session.expire_all()
    assert find(db_session, case).deleted_at is None

    assert admin_browser.submit(f"/{case.section}/{public_id}/delete").status_code == 302
    assert audit_action(admin_browser, "purge", key_of(case.section, row)).status_code == 302
    db_session.expire_all()
    assert find(db_session, case) is None  # gone for good

    entries = entries_of(db_session, row)
    assert [e.action for e in entries] == [
        "record.created", "record.updated", "record.deleted", "record.restored",
        "record.deleted", "record.purged"]
    assert {e.actor_user_id for e in entries} == {users.superadmin.id}
    assert {e.actor_label for e in entries} == {users.superadmin.email}
    assert entries[1].changes[case.field] == list(case.stored)
    assert entries[3].changes == {"deleted_at": [entries[2].changes["deleted_at"][1], None]}
    assert entries[5].changes[case.field] == [case.stored[1], None]  # the values it had

    # The purged row's entries stay readable in the log, in the form's words and values.
    log = admin_browser.get(f"/audit/log?row={public_id}").get_data(as_text=True)
    assert log.count('class="card history-entry"') == 6
    assert f"<td data-label=\"Field\">{case.label}</td><td data-label=\"Before\">" \
           f"{case.shown[0]}</td><td data-label=\"After\">{case.shown[1]}</td>" in log
