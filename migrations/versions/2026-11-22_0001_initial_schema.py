"""initial schema: accounts, genres, songs, plans, subscriptions, strings, settings

Revision ID: 0001
Revises:
Create Date: 2026-11-22 00:21:13.644309+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

LIVE = sa.text("deleted_at IS NULL")


revision: str = '0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('genre',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('parent_genre_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version_id', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('length(name) >= 1', name=op.f('ck_genre_name_not_empty')),
    sa.CheckConstraint('length(slug) >= 1', name=op.f('ck_genre_slug_not_empty')),
    sa.CheckConstraint('parent_genre_id IS NULL OR parent_genre_id <> id', name=op.f('ck_genre_not_own_parent')),
    sa.ForeignKeyConstraint(['parent_genre_id'], ['genre.id'], name=op.f('fk_genre_parent_genre_id_genre'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_genre')),
    sa.UniqueConstraint('public_id', name=op.f('uq_genre_public_id'))
    )
    with op.batch_alter_table('genre', schema=None) as batch_op:
        batch_op.create_index('uq_genre_name_live', [sa.text('lower(name)')], unique=True, postgresql_where=LIVE, sqlite_where=LIVE)
        batch_op.create_index(batch_op.f('ix_genre_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_genre_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_genre_parent_genre_id'), ['parent_genre_id'], unique=False)
        batch_op.create_index('uq_genre_slug_live', ['slug'], unique=True, postgresql_where=LIVE, sqlite_where=LIVE)

    op.create_table('localization_string',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version_id', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('length(key) >= 1', name=op.f('ck_localization_string_key_not_empty')),
    sa.CheckConstraint('length(locale) >= 2', name=op.f('ck_localization_string_locale_not_empty')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_localization_string')),
    sa.UniqueConstraint('public_id', name=op.f('uq_localization_string_public_id'))
    )
    with op.batch_alter_table('localization_string', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_localization_string_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index('ix_localization_string_locale_key', ['locale', 'key'], unique=False)
        batch_op.create_index('uq_localization_string_key_locale_live', ['key', 'locale'], unique=True, postgresql_where=LIVE, sqlite_where=LIVE)

    op.create_table('subscription_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('price_cents', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), server_default='USD', nullable=False),
    sa.Column('billing_interval', sa.Enum('month', 'year', name='billing_interval', native_enum=False, create_constraint=True), server_default='month', nullable=False),
    sa.Column('trial_days', sa.Integer(), server_default='0', nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('is_public', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version_id', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('length(code) >= 1', name=op.f('ck_subscription_plan_code_not_empty')),
    sa.CheckConstraint('length(currency) = 3', name=op.f('ck_subscription_plan_currency_iso4217')),
    sa.CheckConstraint('price_cents >= 0', name=op.f('ck_subscription_plan_price_not_negative')),
    sa.CheckConstraint('trial_days >= 0 AND trial_days <= 365', name=op.f('ck_subscription_plan_trial_days_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscription_plan')),
    sa.UniqueConstraint('public_id', name=op.f('uq_subscription_plan_public_id'))
    )
    with op.batch_alter_table('subscription_plan', schema=None) as batch_op:
        batch_op.create_index('uq_subscription_plan_code_live', [sa.text('lower(code)')], unique=True, postgresql_where=LIVE, sqlite_where=LIVE)
        batch_op.create_index(batch_op.f('ix_subscription_plan_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_subscription_plan_is_active'), ['is_active'], unique=False)
        batch_op.create_index(batch_op.f('ix_subscription_plan_is_public'), ['is_public'], unique=False)
        batch_op.create_index(batch_op.f('ix_subscription_plan_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_subscription_plan_price_cents'), ['price_cents'], unique=False)

    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.Uuid(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.Enum('superadmin', 'singer', 'listener', name='user_role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('last_sign_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('preferred_locale', sa.String(length=16), server_default='en', nullable=False),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version_id', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('length(display_name) >= 1', name=op.f('ck_user_account_display_name_not_empty')),
    sa.CheckConstraint('length(email) >= 3', name=op.f('ck_user_account_email_not_empty')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('public_id', name=op.f('uq_user_account_public_id')),
    sa.UniqueConstraint('session_token', name=op.f('uq_user_account_session_token'))
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index('uq_user_account_email_live', [sa.text('lower(email)')], unique=True, postgresql_where=LIVE, sqlite_where=LIVE)
        batch_op.create_index(batch_op.f('ix_user_account_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_account_display_name'), ['display_name'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_account_is_active'), ['is_active'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_account_role'), ['role'], unique=False)

    op.create_table('song',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('artist_user_id', sa.Integer(), nullable=False),
    sa.Column('genre_id', sa.Integer(), nullable=False),
    sa.Column('duration_seconds', sa.Integer(), nullable=False),
    sa.Column('release_date', sa.Date(), nullable=True),
    sa.Column('isrc', sa.String(length=12), nullable=True),
    sa.Column('is_explicit', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'archived', name='song_status', native_enum=False, create_constraint=True), server_default='draft', nullable=False),
    sa.Column('lyrics', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version_id', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('duration_seconds > 0 AND duration_seconds <= 86400', name=op.f('ck_song_duration_positive')),
    sa.CheckConstraint('isrc IS NULL OR length(isrc) = 12', name=op.f('ck_song_isrc_length')),
    sa.CheckConstraint('length(title) >= 1', name=op.f('ck_song_title_not_empty')),
    sa.ForeignKeyConstraint(['artist_user_id'], ['user_account.id'], name=op.f('fk_song_artist_user_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['genre_id'], ['genre.id'], name=op.f('fk_song_genre_id_genre'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_song')),
    sa.UniqueConstraint('public_id', name=op.f('uq_song_public_id'))
    )
    with op.batch_alter_table('song', schema=None) as batch_op:
        batch_op.create_index('uq_song_artist_title_live', ['artist_user_id', sa.text('lower(title)')], unique=True, postgresql_where=LIVE, sqlite_where=LIVE)
        batch_op.create_index(batch_op.f('ix_song_artist_user_id'), ['artist_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_song_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_song_genre_id'), ['genre_id'], unique=False)
        batch_op.create_index('ix_song_live_artist_created', ['artist_user_id', 'created_at', 'id'], unique=False, postgresql_where=LIVE, sqlite_where=LIVE)
        batch_op.create_index('ix_song_live_created', ['created_at', 'id'], unique=False, postgresql_where=LIVE, sqlite_where=LIVE)
        batch_op.create_index('ix_song_live_duration', ['duration_seconds', 'id'], unique=False, postgresql_where=LIVE, sqlite_where=LIVE)
        batch_op.create_index('ix_song_live_genre_created', ['genre_id', 'created_at', 'id'], unique=False, postgresql_where=LIVE, sqlite_where=LIVE)
        batch_op.create_index('ix_song_live_release', ['release_date', 'id'], unique=False, postgresql_where=LIVE, sqlite_where=LIVE)
        batch_op.create_index('ix_song_live_status_created', ['status', 'created_at', 'id'], unique=False, postgresql_where=LIVE, sqlite_where=LIVE)
        batch_op.create_index('ix_song_live_title', ['title', 'id'], unique=False, postgresql_where=LIVE, sqlite_where=LIVE)
        batch_op.create_index('uq_song_isrc_live', ['isrc'], unique=True, postgresql_where=LIVE, sqlite_where=LIVE)

    op.create_table('system_config',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value_type', sa.Enum('bool', 'int', 'string', 'json', name='config_value_type', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('updated_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version_id', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('length(key) >= 1', name=op.f('ck_system_config_key_not_empty')),
    sa.ForeignKeyConstraint(['updated_by_user_id'], ['user_account.id'], name=op.f('fk_system_config_updated_by_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_system_config')),
    sa.UniqueConstraint('public_id', name=op.f('uq_system_config_public_id'))
    )
    with op.batch_alter_table('system_config', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_system_config_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_system_config_updated_by_user_id'), ['updated_by_user_id'], unique=False)
        batch_op.create_index('uq_system_config_key_live', ['key'], unique=True, postgresql_where=LIVE, sqlite_where=LIVE)

    op.create_table('user_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.Uuid(), nullable=False),
    sa.Column('listener_user_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('trialing', 'active', 'past_due', 'canceled', 'expired', name='subscription_status', native_enum=False, create_constraint=True), server_default='active', nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('canceled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version_id', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('canceled_at IS NULL OR canceled_at >= started_at', name=op.f('ck_user_subscription_canceled_after_start')),
    sa.CheckConstraint('ends_at IS NULL OR ends_at >= started_at', name=op.f('ck_user_subscription_ends_after_start')),
    sa.ForeignKeyConstraint(['listener_user_id'], ['user_account.id'], name=op.f('fk_user_subscription_listener_user_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['plan_id'], ['subscription_plan.id'], name=op.f('fk_user_subscription_plan_id_subscription_plan'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_subscription')),
    sa.UniqueConstraint('public_id', name=op.f('uq_user_subscription_public_id'))
    )
    with op.batch_alter_table('user_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_subscription_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_subscription_listener_user_id'), ['listener_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_subscription_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_subscription_status'), ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('user_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_subscription_status'))
        batch_op.drop_index(batch_op.f('ix_user_subscription_plan_id'))
        batch_op.drop_index(batch_op.f('ix_user_subscription_listener_user_id'))
        batch_op.drop_index(batch_op.f('ix_user_subscription_deleted_at'))

    op.drop_table('user_subscription')
    with op.batch_alter_table('system_config', schema=None) as batch_op:
        batch_op.drop_index('uq_system_config_key_live', postgresql_where=LIVE, sqlite_where=LIVE)
        batch_op.drop_index(batch_op.f('ix_system_config_updated_by_user_id'))
        batch_op.drop_index(batch_op.f('ix_system_config_deleted_at'))

    op.drop_table('system_config')
    with op.batch_alter_table('song', schema=None) as batch_op:
        batch_op.drop_index('uq_song_artist_title_live')
        batch_op.drop_index('uq_song_isrc_live', postgresql_where=LIVE, sqlite_where=LIVE)
        batch_op.drop_index('ix_song_live_title', postgresql_where=LIVE, sqlite_where=LIVE)
        batch_op.drop_index('ix_song_live_status_created', postgresql_where=LIVE, sqlite_where=LIVE)
        batch_op.drop_index('ix_song_live_release', postgresql_where=LIVE, sqlite_where=LIVE)
        batch_op.drop_index('ix_song_live_genre_created', postgresql_where=LIVE, sqlite_where=LIVE)
        batch_op.drop_index('ix_song_live_duration', postgresql_where=LIVE, sqlite_where=LIVE)
        batch_op.drop_index('ix_song_live_created', postgresql_where=LIVE, sqlite_where=LIVE)
        batch_op.drop_index('ix_song_live_artist_created', postgresql_where=LIVE, sqlite_where=LIVE)
        batch_op.drop_index(batch_op.f('ix_song_genre_id'))
        batch_op.drop_index(batch_op.f('ix_song_deleted_at'))
        batch_op.drop_index(batch_op.f('ix_song_artist_user_id'))

    op.drop_table('song')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index('uq_user_account_email_live')
        batch_op.drop_index(batch_op.f('ix_user_account_role'))
        batch_op.drop_index(batch_op.f('ix_user_account_is_active'))
        batch_op.drop_index(batch_op.f('ix_user_account_display_name'))
        batch_op.drop_index(batch_op.f('ix_user_account_deleted_at'))

    op.drop_table('user_account')
    with op.batch_alter_table('subscription_plan', schema=None) as batch_op:
        batch_op.drop_index('uq_subscription_plan_code_live')
        batch_op.drop_index(batch_op.f('ix_subscription_plan_price_cents'))
        batch_op.drop_index(batch_op.f('ix_subscription_plan_name'))
        batch_op.drop_index(batch_op.f('ix_subscription_plan_is_public'))
        batch_op.drop_index(batch_op.f('ix_subscription_plan_is_active'))
        batch_op.drop_index(batch_op.f('ix_subscription_plan_deleted_at'))

    op.drop_table('subscription_plan')
    with op.batch_alter_table('localization_string', schema=None) as batch_op:
        batch_op.drop_index('uq_localization_string_key_locale_live', postgresql_where=LIVE, sqlite_where=LIVE)
        batch_op.drop_index('ix_localization_string_locale_key')
        batch_op.drop_index(batch_op.f('ix_localization_string_deleted_at'))

    op.drop_table('localization_string')
    with op.batch_alter_table('genre', schema=None) as batch_op:
        batch_op.drop_index('uq_genre_name_live')
        batch_op.drop_index('uq_genre_slug_live', postgresql_where=LIVE, sqlite_where=LIVE)
        batch_op.drop_index(batch_op.f('ix_genre_parent_genre_id'))
        batch_op.drop_index(batch_op.f('ix_genre_name'))
        batch_op.drop_index(batch_op.f('ix_genre_deleted_at'))

    op.drop_table('genre')
