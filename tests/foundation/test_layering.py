"""The import graph of webadmin/: no cycle between modules (imports under ``if TYPE_CHECKING:``
aside; an import inside a function counts — it runs too), and no import hidden inside a function
in the generic admin layer (webadmin/admin/), where a hidden import is how a cycle hides."""

from __future__ import annotations

import ast
from pathlib import Path

import webadmin

PACKAGE = Path(webadmin.__file__).parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def targets(module: str, path: Path, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The webadmin modules an import statement loads (a name imported from a package that is
    one of its submodules counts as that submodule)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        base = ".".join(package[:len(package) - node.level + 1] + [node.module or ""]).rstrip(".")
    else:
        base = node.module or ""
    return [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
            for alias in node.names]


def imports_of(path: Path) -> list[tuple[ast.Import | ast.ImportFrom, bool]]:
    """(import statement, whether it sits inside a function), TYPE_CHECKING blocks skipped."""
    found: list[tuple[ast.Import | ast.ImportFrom, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child, in_function)
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append((node, in_function))
        inside = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef
                                           | ast.Lambda)
        for child in ast.iter_child_nodes(node):
            visit(child, inside)

    visit(ast.parse(path.read_text()), False)
    return found


def import_graph() -> dict[str, set[str]]:
    graph = {}
    for module, path in MODULES.items():
        graph[module] = {target for node, _ in imports_of(path)
                         for target in targets(module, path, node)
                         if target in MODULES and target != module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_the_graph_sees_the_imports():
    graph = import_graph()
    assert "webadmin.admin.writes" in graph["webadmin.admin.views"]
    assert "webadmin.admin.options" not in graph["webadmin.admin.views"]  # TYPE_CHECKING only
    assert "webadmin.admin.deletions" in graph["webadmin.admin.options"]  # `from . import x`
    assert "webadmin.admin.blueprints" in graph["webadmin"]  # inside create_app: counted


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_in_webadmin():
    graph = import_graph()
    described = [" ↔ ".join(f"{m} → {sorted(graph[m] & set(c))}" for m in c)
                 for c in cycles(graph)]
    assert described == []


def test_no_import_inside_a_function_in_the_admin_layer():
    hidden = [f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {ast.unparse(node)}"
              for path in sorted((PACKAGE / "admin").glob("*.py"))
              for node, in_function in imports_of(path) if in_function]
    assert hidden == []
