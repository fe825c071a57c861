"""Enumerations stored as VARCHAR + CHECK (portable; adding a value is a one-line migration)."""

from __future__ import annotations

import enum

from sqlalchemy import Enum as SAEnum


class UserRole(enum.StrEnum):
    superadmin = "superadmin"
    singer = "singer"
    listener = "listener"


class SongStatus(enum.StrEnum):
    draft = "draft"
    published = "published"
    archived = "archived"


class BillingInterval(enum.StrEnum):
    month = "month"
    year = "year"


class SubscriptionStatus(enum.StrEnum):
    trialing = "trialing"
    active = "active"
    past_due = "past_due"
    canceled = "canceled"
    expired = "expired"


class ConfigValueType(enum.StrEnum):
    bool = "bool"
    int = "int"
    string = "string"
    json = "json"


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
