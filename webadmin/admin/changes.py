"""A stored change (``{"field": [before, after]}``) in words, as the section's form shows it:
the field's label, a value in the section's format or its choice label. The one place diffs
become words: a row's history page and the audit log both read changes through here."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from .text import display

if TYPE_CHECKING:
    from .options import ModelAdmin


def field_label(admin: ModelAdmin | None, key: str) -> str:
    """The form's label for ``key`` when the section's form has that field."""
    unbound = getattr(admin.form, key, None) if admin is not None and admin.form else None
    if unbound is not None:
        label = unbound.kwargs.get("label") or (unbound.args[0] if unbound.args else None)
        if isinstance(label, str) and label:
            return label
    return key.replace("_", " ").capitalize()


def shown_value(admin: ModelAdmin | None, key: str, value: Any) -> str:
    """A stored value as the form shows it: the section's format for the field, the label of
    a select's choice, else the list's way (dates, Yes/No, — for nothing)."""
    if value is not None and admin is not None and key in admin.change_formats:
        try:
            return admin.change_formats[key](value)
        except (TypeError, ValueError):
            return display(value)
    choice = _choice_label(admin, key, value)
    if choice is not None:
        return choice
    if key.endswith("_at") and isinstance(value, str):  # stored as ISO 8601
        try:
            return display(datetime.fromisoformat(value))
        except ValueError:
            return value
    return display(value)


def _choice_label(admin: ModelAdmin | None, key: str, value: Any) -> str | None:
    unbound = getattr(admin.form, key, None) if admin is not None and admin.form else None
    choices = unbound.kwargs.get("choices") if unbound is not None else None
    if value is None or not isinstance(choices, list | tuple):
        return None
    for choice in choices:  # (value, label) pairs or WTForms SelectChoice
        try:
            choice_value, label = tuple(choice)[:2]
        except (TypeError, ValueError):
            continue
        if str(choice_value) == str(value):
            return str(label)
    return None


def describe_changes(admin: ModelAdmin | None, changes: dict[str, Any] | None,
                     hidden: frozenset[str] = frozenset()) -> list[tuple[str, str, str]]:
    """[(label, before, after)] as the forms show them."""
    described = []
    for key, values in (changes or {}).items():
        if key in hidden:
            continue
        if isinstance(values, list | tuple) and len(values) == 2:
            before, after = values
            described.append((field_label(admin, key), shown_value(admin, key, before),
                              shown_value(admin, key, after)))
        else:
            described.append((field_label(admin, key), "—", shown_value(admin, key, values)))
    return described
