"""audit view: deleted rows across sections, append-only audit log, log indexes for keyset paging

- ``deletion`` and ``deleted_row``: what is soft-deleted now and by which user action (the
  /audit/ list pages ``deleted_row``); rows soft-deleted before this revision are backfilled,
  one deletion each, with an unknown actor.
- ``audit_event``: triggers make UPDATE and DELETE (and TRUNCATE on PostgreSQL) fail. The
  foreign key ``actor_user_id → user_account`` (ON DELETE SET NULL) is dropped: purging a user
  would have updated their entries, i.e. rewritten history; ``actor_label`` keeps the email.
- ``audit_event`` indexes become (filter…, occurred_at, id) for keyset paging of /audit/log.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 06:50:00+00:00
"""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = "audit_event is append-only"
PG_FUNCTION = f"""
CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{APPEND_ONLY}: % refused', TG_OP USING ERRCODE = 'P0001';
END
$$
"""
PG_TRIGGERS = (
    "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
)
SQLITE_TRIGGERS = tuple(
    f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}: {verb} refused'); END"
    for verb in ("UPDATE", "DELETE"))

# Sections at this revision and how their rows were labelled (for the backfill only).
BACKFILL = (
    ("users", "user_account", "display_name || ' <' || email || '>'"),
    ("songs", "song", "title"),
    ("genres", "genre", "name"),
    ("plans", "subscription_plan", "name || ' (' || code || ')'"),
    ("localization", "localization_string", "key || ' [' || locale || ']'"),
    ("config", "system_config", "key"),
)


def upgrade() -> None:
    deletion = op.create_table('deletion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.Uuid(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=320), nullable=False),
    sa.Column('section', sa.String(length=40), nullable=False),
    sa.Column('target_type', sa.String(length=64), nullable=False),
    sa.Column('target_public_id', sa.String(length=64), nullable=False),
    sa.Column('target_label', sa.String(length=300), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deletion')),
    sa.UniqueConstraint('public_id', name=op.f('uq_deletion_public_id'))
    )
    deleted_row = op.create_table('deleted_row',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deletion_id', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=40), nullable=False),
    sa.Column('target_type', sa.String(length=64), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('target_public_id', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('is_root', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['deletion_id'], ['deletion.id'], name=op.f('fk_deleted_row_deletion_id_deletion'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deleted_row'))
    )
    with op.batch_alter_table('deleted_row', schema=None) as batch_op:
        batch_op.create_index('ix_deleted_row_actor_deleted', ['actor_user_id', 'deleted_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deleted_row_deletion_id'), ['deletion_id'], unique=False)
        batch_op.create_index('ix_deleted_row_root_deleted', ['deleted_at', 'id'], unique=False, postgresql_where=sa.text('is_root'), sqlite_where=sa.text('is_root'))
        batch_op.create_index('ix_deleted_row_section_deleted', ['section', 'deleted_at', 'id'], unique=False)
        batch_op.create_index('uq_deleted_row_target', ['target_type', 'target_id'], unique=True)

    with _quiet_reflection(), op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint('fk_audit_event_actor_user_id_user_account', type_='foreignkey')
        batch_op.drop_index('ix_audit_event_target')
        batch_op.drop_index('ix_audit_event_occurred_at')
        batch_op.drop_index('ix_audit_event_actor_occurred')
        batch_op.drop_index('ix_audit_event_action')
        batch_op.create_index('ix_audit_event_occurred', ['occurred_at', 'id'], unique=False)
        batch_op.create_index('ix_audit_event_target', ['target_type', 'target_public_id', 'occurred_at', 'id'], unique=False)
        batch_op.create_index('ix_audit_event_type_occurred', ['target_type', 'occurred_at', 'id'], unique=False)
        batch_op.create_index('ix_audit_event_actor_occurred', ['actor_user_id', 'occurred_at', 'id'], unique=False)
        batch_op.create_index('ix_audit_event_action_occurred', ['action', 'occurred_at', 'id'], unique=False)

    _create_triggers()
    _backfill(deletion, deleted_row)


@contextmanager
def _quiet_reflection() -> Iterator[None]:
    """SQLite's batch mode reflects user_account (the foreign key's target) and cannot reflect
    its expression indexes; they are not touched here, so the warning says nothing."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        yield


def _create_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for statement in PG_TRIGGERS:
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")


def _backfill(deletion: sa.Table, deleted_row: sa.Table) -> None:
    """One deletion (actor unknown) per row soft-deleted before the audit view existed."""
    bind = op.get_bind()
    for section, table, label in BACKFILL:
        rows = bind.execute(sa.text(
            f"SELECT id, public_id, {label}, deleted_at FROM {table} "  # noqa: S608 - constants
            "WHERE deleted_at IS NOT NULL ORDER BY id")).all()
        for row_id, public_id, row_label, deleted_at in rows:
            when = deleted_at if isinstance(deleted_at, datetime) else datetime.now(UTC)
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            key = str(uuid.UUID(str(public_id)))
            deletion_id = bind.execute(deletion.insert().values(
                public_id=uuid.uuid4(), deleted_at=when, actor_user_id=None, actor_label="",
                section=section, target_type=table, target_public_id=key,
                target_label=(row_label or "")[:300], row_count=1)).inserted_primary_key[0]
            bind.execute(deleted_row.insert().values(
                deletion_id=deletion_id, section=section, target_type=table, target_id=row_id,
                target_public_id=key, label=(row_label or "")[:300], is_root=True,
                deleted_at=when, actor_user_id=None))


def downgrade() -> None:
    _drop_triggers()
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_action_occurred')
        batch_op.drop_index('ix_audit_event_actor_occurred')
        batch_op.drop_index('ix_audit_event_type_occurred')
        batch_op.drop_index('ix_audit_event_target')
        batch_op.drop_index('ix_audit_event_occurred')
        batch_op.create_index('ix_audit_event_action', ['action'], unique=False)
        batch_op.create_index('ix_audit_event_actor_occurred', ['actor_user_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_audit_event_occurred_at', ['occurred_at'], unique=False)
        batch_op.create_index('ix_audit_event_target', ['target_type', 'target_public_id', 'occurred_at'], unique=False)
    # Entries of accounts purged meanwhile lose their actor id, as ON DELETE SET NULL would
    # have done, so the foreign key can come back.
    op.execute("UPDATE audit_event SET actor_user_id = NULL WHERE actor_user_id IS NOT NULL "
               "AND actor_user_id NOT IN (SELECT id FROM user_account)")
    with _quiet_reflection(), op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_audit_event_actor_user_id_user_account', 'user_account', ['actor_user_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('deleted_row', schema=None) as batch_op:
        batch_op.drop_index('uq_deleted_row_target')
        batch_op.drop_index('ix_deleted_row_section_deleted')
        batch_op.drop_index('ix_deleted_row_root_deleted', postgresql_where=sa.text('is_root'), sqlite_where=sa.text('is_root'))
        batch_op.drop_index(batch_op.f('ix_deleted_row_deletion_id'))
        batch_op.drop_index('ix_deleted_row_actor_deleted')

    op.drop_table('deleted_row')
    op.drop_table('deletion')
