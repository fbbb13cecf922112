"""The package's floors: every import goes down (or sideways within a floor), and the module graph has no cycles.

The floors, bottom to top, are the README's ARCHITECTURE section. A module's floor is
that of its package (or, for a top-level module, its own entry in FLOORS).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "projects_cli"

FLOORS: dict[str, int] = {
    "errors": 0,
    "i18n": 0,
    "vocab": 0,
    "values": 0,
    "rules": 0,
    "listings": 0,
    "writes": 0,
    "config": 1,
    "store": 2,
    "facts": 3,
    "services": 4,
    "sheets": 5,
    "workbooks": 5,
    "ledger": 5,
    "notify": 5,
    "sample": 6,
    "demo": 6,
    "cli": 7,
    "locale": 7,
    "__init__": 0,
    "__main__": 7,
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """Every projects_cli module this one imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "projects_cli":
            base = node.module.removeprefix("projects_cli").lstrip(".")
            for alias in node.names:
                name = f"{base}.{alias.name}" if base else alias.name
                found.add(name if name in MODULES else base)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("projects_cli."):
                    found.add(alias.name.removeprefix("projects_cli."))
    return {m for m in found if m}


GRAPH = {name: _imports(path) - {name} for name, path in MODULES.items()}


def floor(module: str) -> int:
    return FLOORS[module.split(".")[0]]


def test_every_module_has_a_floor():
    assert sorted({m.split(".")[0] for m in MODULES} - FLOORS.keys()) == []


def test_every_package_says_what_it_is_for():
    undocumented = [
        name for name, path in MODULES.items()
        if path.name == "__init__.py" and name != "__init__" and not ast.get_docstring(ast.parse(path.read_text()))
    ]
    assert undocumented == []


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_go_down(module):
    upward = sorted(m for m in GRAPH[module] if floor(m) > floor(module))
    assert upward == [], f"{module} (floor {floor(module)}) imports from above: {upward}"


def test_no_import_cycles():
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(GRAPH.get(node, ())):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for start in sorted(GRAPH):
        if start not in state:
            visit(start, [start])
    assert cycles == []
