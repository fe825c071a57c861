"""albums: a singer's albums; a song may sit on one album of its own artist (composite key);
keyset indexes for the subscriptions list

The foreign key on song is added through a batch table copy on SQLite: env.py keeps the table's
expression and partial indexes (e.g. uq_song_artist_title_live) through the copy.

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-30 06:36:41.333763+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = {"postgresql_where": sa.text("deleted_at IS NULL"),
        "sqlite_where": sa.text("deleted_at IS NULL")}
SUBSCRIPTION_INDEXES = {
    "ix_user_subscription_live_created": ["created_at", "id"],
    "ix_user_subscription_live_ends": ["ends_at", "id"],
    "ix_user_subscription_live_listener_started": ["listener_user_id", "started_at", "id"],
    "ix_user_subscription_live_plan_started": ["plan_id", "started_at", "id"],
    "ix_user_subscription_live_started": ["started_at", "id"],
    "ix_user_subscription_live_status_started": ["status", "started_at", "id"],
}
ALBUM_INDEXES = {
    "ix_album_live_artist_created": ["artist_user_id", "created_at", "id"],
    "ix_album_live_created": ["created_at", "id"],
    "ix_album_live_release": ["release_date", "id"],
    "ix_album_live_title": ["title", "id"],
}


def upgrade() -> None:
    op.create_table('album',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('artist_user_id', sa.Integer(), nullable=False),
    sa.Column('release_date', sa.Date(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version_id', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('length(title) >= 1', name=op.f('ck_album_title_not_empty')),
    sa.ForeignKeyConstraint(['artist_user_id'], ['user_account.id'], name=op.f('fk_album_artist_user_id_user_account'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_album')),
    sa.UniqueConstraint('id', 'artist_user_id', name='uq_album_id_artist'),
    sa.UniqueConstraint('public_id', name=op.f('uq_album_public_id'))
    )
    op.create_index(op.f('ix_album_artist_user_id'), 'album', ['artist_user_id'])
    op.create_index(op.f('ix_album_deleted_at'), 'album', ['deleted_at'])
    for name, columns in ALBUM_INDEXES.items():
        op.create_index(name, 'album', columns, **LIVE)
    op.create_index('uq_album_artist_title_live', 'album',
                    ['artist_user_id', sa.text('lower(title)')], unique=True, **LIVE)

    with op.batch_alter_table('song', schema=None) as batch_op:
        batch_op.add_column(sa.Column('album_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('track_number', sa.SmallInteger(), nullable=True))
        batch_op.create_check_constraint(
            'track_number_range',
            'track_number IS NULL OR (track_number >= 1 AND track_number <= 999)')
        batch_op.create_index('uq_song_album_track_live', ['album_id', 'track_number'],
                              unique=True, **LIVE)
        batch_op.create_foreign_key(batch_op.f('fk_song_album_id_album'), 'album',
                                    ['album_id', 'artist_user_id'], ['id', 'artist_user_id'],
                                    ondelete='RESTRICT')

    for name, columns in SUBSCRIPTION_INDEXES.items():
        op.create_index(name, 'user_subscription', columns, **LIVE)


def downgrade() -> None:
    for name in SUBSCRIPTION_INDEXES:
        op.drop_index(name, table_name='user_subscription')

    with op.batch_alter_table('song', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_song_album_id_album'), type_='foreignkey')
        batch_op.drop_index('uq_song_album_track_live')
        batch_op.drop_constraint(batch_op.f('ck_song_track_number_range'), type_='check')
        batch_op.drop_column('track_number')
        batch_op.drop_column('album_id')

    op.drop_table('album')
