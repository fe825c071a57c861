"""Enumerations stored as VARCHAR + CHECK (portable; adding a value is a one-line migration)."""

from __future__ import annotations

import enum

from sqlalchemy import Enum as SAEnum


class LabelledEnum(enum.StrEnum):
    """An enum whose members read as English in lists, filters and diffs (``member.label``);
    override ``label`` where the value is an abbreviation."""

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class UserRole(LabelledEnum):
    superadmin = "superadmin"
    singer = "singer"
    listener = "listener"


class SongStatus(LabelledEnum):
    draft = "draft"
    published = "published"
    archived = "archived"


class BillingInterval(LabelledEnum):
    month = "month"
    year = "year"


class SubscriptionStatus(LabelledEnum):
    trialing = "trialing"
    active = "active"
    past_due = "past_due"
    canceled = "canceled"
    expired = "expired"


class ConfigValueType(LabelledEnum):
    bool = "bool"
    int = "int"
    string = "string"
    json = "json"

    @property
    def label(self) -> str:
        return CONFIG_TYPE_LABELS[self.value]


CONFIG_TYPE_LABELS = {"bool": "Boolean", "int": "Integer", "string": "Text", "json": "JSON"}


def enum_column_type(enum_cls: type[enum.Enum], name: str) -> SAEnum:
    """VARCHAR with a named CHECK constraint holding the enum's values."""
    return SAEnum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum_cls),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
