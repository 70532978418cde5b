"""The package's shape: no import cycle, nothing below the composition root imports it, small modules.

Reads the source with `ast` (nothing is imported), so it runs in milliseconds and names the offender.
Imports under `if TYPE_CHECKING:` count too: a type-only dependency is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "tutor"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# the entry points that may build the application (the CLI, the UI, the HTTP API); `tutor.services` is the deprecated alias of `tutor.app`
MAY_IMPORT_APP = ("tutor.cli", "tutor.ui", "tutor.api", "tutor.services")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The `tutor` modules this module imports.

    The parent package that Python imports before a submodule is not counted: a package's
    `__init__` importing its own submodules is how packages work, not a cycle.
    """
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            # `from tutor.cli import render` names a submodule; `from tutor.app import App` a name in tutor.app
            targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in known else module for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # `import tutor.x.y as z` of a name: its module
                target = target.rpartition(".")[0]
            if target.startswith("tutor") and target != name:
                out.add(target)
    return out


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle as a path [a, b, ..., a], or None (depth-first search with colours)."""
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_import_graph_has_no_cycle() -> None:
    graph = _graph()
    cycle = _find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_only_the_entry_points_import_the_composition_root() -> None:
    offenders = sorted(
        name for name, deps in _graph().items() if "tutor.app" in deps and not name.startswith(MAY_IMPORT_APP)
    )
    assert offenders == [], f"{offenders} import tutor.app; hand them their collaborators instead"


def test_the_library_imports_nothing_from_the_front_ends() -> None:
    """The CLI, the UI and the HTTP API sit on the library; the API may mount the UI, nothing below them may."""
    front_ends = ("tutor.cli", "tutor.ui", "tutor.api")
    offenders = sorted(
        f"{name} -> {dep}"
        for name, deps in _graph().items()
        for dep in deps
        # a front-end's settings model is a leaf the one settings model (tutor.config) composes
        if dep.startswith(front_ends) and not dep.endswith(".settings") and not name.startswith(front_ends)
    )
    assert offenders == []


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_modules_and_functions_stay_small(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    lines = len(text.splitlines())
    assert lines <= MAX_MODULE_LINES, (
        f"{path.name} has {lines} lines; split it by job (limit {MAX_MODULE_LINES})"
    )
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines, line {node.lineno})"
        for node in ast.walk(ast.parse(text))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == [], f"functions over {MAX_FUNCTION_LINES} lines in {path.name}: {long}"
