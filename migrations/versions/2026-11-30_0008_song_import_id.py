"""song import id: each song created by a CSV import names the import (its audit entry too)

Revision ID: 0008
Revises: 0004
Create Date: 2026-11-30 07:10:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTERs, no batch mode: both databases add and drop a column in place (SQLite since
# 3.35), and a batch copy of ``song`` on SQLite would lose its expression index
# (uq_song_artist_title_live), which reflection cannot read back.
def upgrade() -> None:
    # A nullable column without default: no table rewrite on PostgreSQL, instant on a big table.
    op.add_column('song', sa.Column('import_id', sa.Uuid(), nullable=True))
    op.create_index(op.f('ix_song_import_id'), 'song', ['import_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_song_import_id'), table_name='song')
    op.drop_column('song', 'import_id')
