from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, Index, String, func, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model
from .enums import UserRole, enum_column_type
from .sql import live_only

if TYPE_CHECKING:
    from .song import Song
    from .subscription import UserSubscription


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(Model):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("length(email) >= 3", name="email_not_empty"),
        CheckConstraint("length(display_name) >= 1", name="display_name_not_empty"),
    )

    email: Mapped[str] = mapped_column(String(320))
    display_name: Mapped[str] = mapped_column(String(120), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[UserRole] = mapped_column(enum_column_type(UserRole, "user_role"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true(),
                                            index=True)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(default=None)
    preferred_locale: Mapped[str] = mapped_column(String(16), default="en", server_default="en")
    # Rotated on password change or deactivation: every other session then stops matching.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token, unique=True)

    songs: Mapped[list[Song]] = relationship(back_populates="artist")
    subscriptions: Mapped[list[UserSubscription]] = relationship(back_populates="listener")

    def __str__(self) -> str:
        return f"{self.display_name} <{self.email}>"

    # Flask-Login's user protocol, written out so models import no Flask. The id kept in the
    # session is the rotating session_token, never the primary key: rotating it (password change,
    # deactivation) ends every session that still carries the old one.
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return self.session_token


# Expression indexes are declared against the mapped columns, after the class.
Index("uq_user_account_email_live", func.lower(User.email), unique=True, **live_only())
# Songs search by artist name ("?q=Nina" → songs whose artist's display_name contains it):
# a trigram GIN index answers ILIKE '%term%' on PostgreSQL (migration 0009); SQLite has none.
Index("ix_user_account_display_name_trgm", User.display_name, postgresql_using="gin",
      postgresql_ops={"display_name": "gin_trgm_ops"},
      info={"only_on": "postgresql"}).ddl_if(dialect="postgresql")
