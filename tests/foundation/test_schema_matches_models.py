"""Must-show 3: the migrated schema has every index and constraint of the models — names,
columns or expressions, partial WHERE conditions, uniqueness — on SQLite and on PostgreSQL.

The second test replays today's trap: a migration that adds a foreign key to ``song`` through
a SQLite batch table copy. Without env.py's hook the copy silently drops the expression index
``uq_song_artist_title_live`` (and the comparison says so); with it, the schema matches.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from tests.foundation.schema_fingerprint import (
    database_constraints,
    database_indexes,
    model_constraints,
    model_indexes,
)
from tests.foundation.test_migrations import scratch_url  # noqa: F401 - fixture
from tests.helpers import alembic_config, reset_database, run_alembic

ROOT = Path(__file__).resolve().parents[2]


def schema_differences(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection, warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*expression-based index.*")
            problems = []
            for kind, found, expected in (
                    ("index", database_indexes(connection), model_indexes(connection.dialect)),
                    ("constraint", database_constraints(connection), model_constraints())):
                for name in sorted(set(found) | set(expected)):
                    if found.get(name) != expected.get(name):
                        problems.append(f"{kind} {name}: database {found.get(name)} "
                                        f"!= models {expected.get(name)}")
            return problems
    finally:
        engine.dispose()


def test_migrated_schema_has_every_index_and_constraint_of_the_models(migrated_database):
    assert schema_differences(migrated_database) == []


SCRATCH_MIGRATION = '''
"""scratch: a foreign key added to song through a batch table copy"""
import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("scratch_label", sa.Column("id", sa.Integer, primary_key=True))
    with op.batch_alter_table("song") as batch_op:
        batch_op.add_column(sa.Column("scratch_label_id", sa.Integer, nullable=True))
        batch_op.create_foreign_key("fk_song_scratch_label_id_scratch_label", "scratch_label",
                                    ["scratch_label_id"], ["id"])


def downgrade():
    with op.batch_alter_table("song") as batch_op:
        batch_op.drop_constraint("fk_song_scratch_label_id_scratch_label", type_="foreignkey")
        batch_op.drop_column("scratch_label_id")
    op.drop_table("scratch_label")
'''


def _scratch_config(url: str, tmp_path: Path, *, keep_indexes: bool):
    """The project's migrations plus one scratch migration on top, in a temporary folder."""
    script_dir = tmp_path / "migrations"
    shutil.copytree(ROOT / "migrations", script_dir,
                    ignore=shutil.ignore_patterns("__pycache__"))
    config = alembic_config(url)
    config.set_main_option("script_location", str(script_dir))
    head = ScriptDirectory.from_config(config).get_current_head()
    (script_dir / "versions" / "9999_scratch.py").write_text(SCRATCH_MIGRATION.format(head=head))
    config.attributes["keep_batch_indexes"] = keep_indexes
    return config


def _known_differences(url: str) -> list[str]:
    """Differences other than the scratch table and column themselves."""
    return [p for p in schema_differences(url) if "scratch_label" not in p]


def test_a_batch_copy_of_song_keeps_expression_and_partial_indexes(scratch_url, tmp_path,  # noqa: F811
                                                                  backend):
    reset_database(scratch_url)
    run_alembic(_scratch_config(scratch_url, tmp_path / "with", keep_indexes=True),
                "upgrade", "head")
    assert _known_differences(scratch_url) == []

    if backend != "sqlite":
        return  # PostgreSQL alters in place: there is no copy to lose anything
    reset_database(scratch_url)
    with warnings.catch_warnings():  # SQLAlchemy's only trace: a warning while reflecting
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        run_alembic(_scratch_config(scratch_url, tmp_path / "without", keep_indexes=False),
                    "upgrade", "head")
    lost = _known_differences(scratch_url)
    assert any("uq_song_artist_title_live" in p and "database None" in p for p in lost), lost
    print("\n".join(lost))


DROPPING_MIGRATION = '''
"""scratch: a batch copy of song that drops one index on purpose"""
import sqlalchemy as sa
from alembic import op

revision = "9998"
down_revision = "9999"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("song") as batch_op:
        batch_op.drop_index("uq_song_isrc_live")
        batch_op.add_column(sa.Column("scratch_note", sa.Integer, nullable=True))


def downgrade():
    pass
'''


def test_the_hook_does_not_bring_back_an_index_dropped_on_purpose(scratch_url, tmp_path,  # noqa: F811
                                                                  backend):
    if backend != "sqlite":
        pytest.skip("the hook acts on SQLite batch copies only")
    reset_database(scratch_url)
    config = _scratch_config(scratch_url, tmp_path, keep_indexes=True)
    script_dir = Path(config.get_main_option("script_location"))
    (script_dir / "versions" / "9998_scratch.py").write_text(DROPPING_MIGRATION)
    run_alembic(config, "upgrade", "head")
    lost = _known_differences(scratch_url)
    assert [p.split(":")[0] for p in lost if "database None" in p] == ["index uq_song_isrc_live"]
