"""staged import: checked localization imports wait in the database for confirmation

Before, they waited in files under instance/, which only the host that checked them could read.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 01:47:56.251838+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('staged_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('uploader_user_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('rows', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['uploader_user_id'], ['user_account.id'], name=op.f('fk_staged_import_uploader_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staged_import')),
    sa.UniqueConstraint('token', name=op.f('uq_staged_import_token'))
    )
    with op.batch_alter_table('staged_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staged_import_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_staged_import_uploader_user_id'), ['uploader_user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('staged_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staged_import_uploader_user_id'))
        batch_op.drop_index(batch_op.f('ix_staged_import_created_at'))

    op.drop_table('staged_import')
