"""One obvious place for each behaviour, checked on the source: the live-rows predicate, the CSV
writer and the write path each exist once."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import webadmin

PACKAGE = Path(webadmin.__file__).parent


def sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def lines_matching(pattern: str, paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if re.search(pattern, line):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}")
    return found


def test_live_rows_are_asked_through_live():
    """``models.live(Model)`` (and ``~live(Model)``) instead of ``deleted_at`` compared by hand;
    the partial indexes keep their literal SQL (models/sql.py)."""
    others = [p for p in sources() if p != PACKAGE / "models" / "base.py"]
    assert lines_matching(r"deleted_at\s*\.\s*(is_|is_not|isnot)\s*\(|deleted_at\s*[!=]=\s*None",
                          others) == []


def test_one_csv_writer():
    others = [p for p in sources() if p != PACKAGE / "admin" / "csvfile.py"]
    assert lines_matching(r"csv\.(writer|DictWriter)\(", others) == []


def test_the_views_that_write_commit_only_through_committed_write():
    """The generic views, the declared actions, uploads, /audit/ and the password change neither
    commit nor roll back by hand: admin/writes.py does, and maps every refusal."""
    views = [*sorted((PACKAGE / "admin").glob("*.py")), PACKAGE / "audit" / "views.py",
             PACKAGE / "media" / "views.py"]
    views = [p for p in views if p.name != "writes.py"]
    assert lines_matching(r"\.(commit|rollback)\(\)", views) == []
    assert lines_matching(r"except\s*\(?[\w., ]*(DBAPIError|IntegrityError|StaleDataError|"
                          r"DataError)", [*views, PACKAGE / "auth" / "views.py"]) == []


def admin_class_lines() -> dict[str, int]:
    """Lines of each section's ModelAdmin class, from its decorator to its last line."""
    counts = {}
    for path in sorted(PACKAGE.glob("*/admin.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef) and node.name.endswith("Admin"):
                start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                counts[node.name] = (node.end_lineno or node.lineno) - start + 1
    return counts


def test_a_section_built_on_the_generic_layer_costs_at_most_30_lines():
    counts = admin_class_lines()
    assert counts["AlbumAdmin"] <= 30 and counts["SubscriptionAdmin"] <= 30, counts
