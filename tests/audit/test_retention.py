"""Retention: ``flask audit export --before DATE`` writes older entries as JSON lines and
deletes nothing (deleting archived entries is the database owner's step, docs/AUDIT.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import func, select

from webadmin.models import AuditEvent
from webadmin.services import audit


def test_export_before_a_day_writes_json_lines_and_keeps_every_entry(app, db_session, tmp_path):
    old = audit.record(db_session, "record.updated", target_type="genre", target_label="Old",
                       changes={"name": ["a", "b"]})
    old.occurred_at = datetime(2025, 12, 31, 23, 59, tzinfo=UTC)
    for n in range(3):
        audit.record(db_session, "record.created", target_type="genre", target_label=f"N{n}")
    db_session.commit()
    before = db_session.scalar(select(func.count()).select_from(AuditEvent))
    target = tmp_path / "archive.jsonl"
    result = app.test_cli_runner().invoke(args=[
        "audit", "export", "--before", "2026-01-01", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert "Wrote 1 entries before 2026-01-01" in result.output
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [line["target_label"] for line in lines] == ["Old"]
    assert lines[0]["changes"] == {"name": ["a", "b"]}
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_export_refuses_a_malformed_date(app):
    result = app.test_cli_runner().invoke(args=["audit", "export", "--before", "yesterday"])
    assert result.exit_code != 0 and "Invalid value for '--before'" in result.output
