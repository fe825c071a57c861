"""Models know no session and no app, and model files do not import each other in cycles."""

from __future__ import annotations

import ast
from pathlib import Path

import webadmin.models

MODELS_DIR = Path(webadmin.models.__file__).parent
FORBIDDEN = ("flask", "webadmin.db", "webadmin.extensions", "webadmin.services", "..db", "..")


def model_files() -> list[Path]:
    return sorted(p for p in MODELS_DIR.glob("*.py") if p.name != "__init__.py")


def runtime_imports(path: Path) -> list[str]:
    """Imported module names, relative ones as '.x'/'..x', skipping TYPE_CHECKING blocks."""
    tree = ast.parse(path.read_text())
    names: list[str] = []

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.Import):
                names.extend(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                names.append("." * node.level + (node.module or ""))
            for child in ("body", "orelse", "handlers", "finalbody"):
                visit(getattr(node, child, []) or [])

    visit(tree.body)
    return names


def test_no_model_file_imports_the_session_or_the_app():
    for path in model_files():
        for name in runtime_imports(path):
            assert not name.startswith(("flask", "webadmin")), (path.name, name)
            assert not (name.startswith("..")), (path.name, name)
            assert "session" not in name.lower(), (path.name, name)


def test_no_import_cycle_between_model_files():
    graph = {p.stem: {name[1:] for name in runtime_imports(p)
                      if name.startswith(".") and not name.startswith("..")}
             for p in model_files()}

    def visit(node: str, stack: tuple[str, ...]) -> None:
        assert node not in stack, f"import cycle: {' -> '.join((*stack, node))}"
        for target in graph.get(node, ()):
            visit(target, (*stack, node))

    for start in graph:
        visit(start, ())
