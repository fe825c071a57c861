"""No section imports another section: shared pieces live in the generic layer (webadmin/admin)
or in the neutral webadmin/sources.py, and a section names another one only by its URL name."""

from __future__ import annotations

import ast
from pathlib import Path

import webadmin
from webadmin.admin import site

PACKAGE = Path(webadmin.__file__).parent


def section_packages() -> set[str]:
    """Packages that hold a section (an admin.py registering a ModelAdmin)."""
    site.autodiscover()
    return {type(admin).__module__.split(".")[1] for admin in site.admins}


def imported_packages(path: Path) -> set[str]:
    """The top-level webadmin packages a file imports (relative or absolute), at any depth."""
    package = path.relative_to(PACKAGE).parts[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0 and (node.module or "").startswith("webadmin."):
                found.add(node.module.split(".")[1])
            elif node.level == 1 and path.parent != PACKAGE:
                found.add(package)
            elif node.level == 2 and node.module:
                found.add(node.module.split(".")[0])
            elif node.level == 2:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names
                         if a.name.startswith("webadmin."))
    return found


def test_sections_are_found():
    assert {"songs", "albums", "subscriptions", "genres", "plans", "users"} <= section_packages()


def test_no_section_imports_another_section():
    sections = section_packages()
    offenders = []
    for section in sorted(sections):
        for path in sorted((PACKAGE / section).rglob("*.py")):
            for other in imported_packages(path) & sections - {section}:
                offenders.append(f"{path.relative_to(PACKAGE.parent)} imports webadmin.{other}")
    assert offenders == []


def test_the_neutral_modules_import_no_section():
    sections = section_packages()
    for path in (PACKAGE / "sources.py", *sorted((PACKAGE / "admin").glob("*.py"))):
        assert not imported_packages(path) & sections, path
