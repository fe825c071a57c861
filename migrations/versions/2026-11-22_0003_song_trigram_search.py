"""song trigram search: GIN indexes for ILIKE '%term%' on title and ISRC (PostgreSQL only)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 01:10:00+00:00

SQLite has no trigram indexes; on it this revision changes nothing. The pg_trgm extension is
trusted since PostgreSQL 13, so the database owner may create it; downgrade leaves the extension
(other objects may use it) and drops only the indexes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("deleted_at IS NULL")
COLUMNS = ("title", "isrc")


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if not _postgresql():
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        op.create_index(f"ix_song_live_{column}_trgm", "song", [column], unique=False,
                        postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"},
                        postgresql_where=LIVE)


def downgrade() -> None:
    if not _postgresql():
        return
    for column in COLUMNS:
        op.drop_index(f"ix_song_live_{column}_trgm", table_name="song")
