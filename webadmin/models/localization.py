from __future__ import annotations

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Model
from .sql import live_only


class LocalizationString(Model):
    """One translated value per key and locale."""

    __tablename__ = "localization_string"
    __table_args__ = (
        Index("uq_localization_string_key_locale_live", "key", "locale", unique=True,
              **live_only()),
        Index("ix_localization_string_locale_key", "locale", "key"),
        CheckConstraint("length(key) >= 1", name="key_not_empty"),
        CheckConstraint("length(locale) >= 2", name="locale_not_empty"),
    )

    key: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(Text)

    def __str__(self) -> str:
        return f"{self.key} [{self.locale}]"
