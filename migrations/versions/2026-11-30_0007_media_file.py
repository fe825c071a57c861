"""media file: uploaded audio and cover art, one table for every section that declares media

Revision ID: 0007
Revises: 0004
Create Date: 2026-11-30 06:37:03.975455+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('media_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.Uuid(), nullable=False),
    sa.Column('owner_table', sa.String(length=40), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('owner_user_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_by_user_id', sa.Integer(), nullable=True),
    sa.Column('storage_key', sa.String(length=300), nullable=False),
    sa.Column('thumbnail_key', sa.String(length=300), nullable=True),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('codec', sa.String(length=40), nullable=True),
    sa.Column('bitrate', sa.Integer(), nullable=True),
    sa.Column('sample_rate', sa.Integer(), nullable=True),
    sa.Column('channels', sa.Integer(), nullable=True),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('thumbnail_width', sa.Integer(), nullable=True),
    sa.Column('thumbnail_height', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version_id', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("kind IN ('audio', 'cover')", name=op.f('ck_media_file_kind_known')),
    sa.CheckConstraint('size_bytes >= 0', name=op.f('ck_media_file_size_not_negative')),
    sa.ForeignKeyConstraint(['owner_user_id'], ['user_account.id'], name=op.f('fk_media_file_owner_user_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['uploaded_by_user_id'], ['user_account.id'], name=op.f('fk_media_file_uploaded_by_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media_file')),
    sa.UniqueConstraint('public_id', name=op.f('uq_media_file_public_id')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_media_file_storage_key'))
    )
    with op.batch_alter_table('media_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_media_file_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index('ix_media_file_owner_user_sha256', ['owner_user_id', 'sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_media_file_uploaded_by_user_id'), ['uploaded_by_user_id'], unique=False)
        batch_op.create_index('uq_media_file_owner_kind_live', ['owner_table', 'owner_id', 'kind'], unique=True, postgresql_where=sa.text('deleted_at IS NULL'), sqlite_where=sa.text('deleted_at IS NULL'))



def downgrade() -> None:
    with op.batch_alter_table('media_file', schema=None) as batch_op:
        batch_op.drop_index('uq_media_file_owner_kind_live', postgresql_where=sa.text('deleted_at IS NULL'), sqlite_where=sa.text('deleted_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_media_file_uploaded_by_user_id'))
        batch_op.drop_index('ix_media_file_owner_user_sha256')
        batch_op.drop_index(batch_op.f('ix_media_file_deleted_at'))

    op.drop_table('media_file')
