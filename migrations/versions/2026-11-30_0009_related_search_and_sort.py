"""related search and sort: song (artist, id) and (genre, id) indexes; trigram on artist names

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 08:10:00+00:00

Songs are searched by their artist's name through ``artist_user_id = ANY(ARRAY(SELECT id FROM
user_account WHERE display_name ILIKE '%term%'))``; the inner read needs this index to stay off a
sequential scan of the accounts (PostgreSQL only: SQLite has no trigram indexes). Sorting songs
by artist or genre name walks user_account.display_name / genre.name (existing indexes) and reads
each one's songs in id order: the two partial (foreign key, id) indexes on live songs. pg_trgm
exists since 0003; downgrade drops only the indexes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_user_account_display_name_trgm"
LIVE = sa.text("deleted_at IS NULL")
SONG_INDEXES = {"ix_song_live_artist_id": "artist_user_id", "ix_song_live_genre_id": "genre_id"}


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    for name, column in SONG_INDEXES.items():
        op.create_index(name, "song", [column, "id"], unique=False, postgresql_where=LIVE,
                        sqlite_where=LIVE)
    if not _postgresql():
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(INDEX, "user_account", ["display_name"], unique=False,
                    postgresql_using="gin", postgresql_ops={"display_name": "gin_trgm_ops"})


def downgrade() -> None:
    for name in SONG_INDEXES:
        op.drop_index(name, table_name="song")
    if not _postgresql():
        return
    op.drop_index(INDEX, table_name="user_account")
