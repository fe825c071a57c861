"""Declarative base, naming convention, portable types and the mixins every table uses."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Integer, MetaData, Uuid, func
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

# Stable names for every constraint: migrations stay diffable and an IntegrityError can be
# mapped back to a form field by the constraint's name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so values are normalised to UTC
    on the way in and marked UTC on the way out. Naive datetimes are refused: they are bugs.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class Model(Base):
    """Abstract base of every table: integer id for joins, UUID for URLs, timestamps,
    soft delete and optimistic locking."""

    __abstract__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-100)
    public_id: Mapped[uuid.UUID] = mapped_column(Uuid, default=uuid.uuid4, unique=True,
                                                 sort_order=-99)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now(),
                                                 sort_order=100)
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=func.now(), sort_order=101)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None, index=True,
                                                           sort_order=102)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1",
                                            sort_order=103)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version_id}

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} id={self.id} public_id={self.public_id}>"


def live(column_owner: type[Model]) -> Any:
    """The ``deleted_at IS NULL`` predicate of ``column_owner`` (a model or an alias): every
    query of live rows says ``live(Model)``, and ``~live(Model)`` the soft-deleted ones. (The
    partial indexes keep their literal SQL, ``models/sql.py``: a migration must not change
    when this does.)"""
    return column_owner.deleted_at.is_(None)
