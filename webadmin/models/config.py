from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model
from .enums import ConfigValueType, enum_column_type
from .sql import live_only

if TYPE_CHECKING:
    from .user import User


class SystemConfig(Model):
    """A typed setting; ``value`` holds its text form, parsed by ``value_type``."""

    __tablename__ = "system_config"
    __table_args__ = (
        Index("uq_system_config_key_live", "key", unique=True, **live_only()),
        CheckConstraint("length(key) >= 1", name="key_not_empty"),
    )

    key: Mapped[str] = mapped_column(String(100))
    value_type: Mapped[ConfigValueType] = mapped_column(
        enum_column_type(ConfigValueType, "config_value_type"))
    value: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    updated_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True)

    updated_by: Mapped[User | None] = relationship()

    def __str__(self) -> str:
        return self.key
