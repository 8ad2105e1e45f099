"""The import graph of our own modules, read from the source (nothing is imported).

An edge A -> B means module A imports module B when it runs: at module level or inside a function
(a function-level import is a dependency too, only a later one). Imports under ``if TYPE_CHECKING:``
are left out: they never run. Importing ``pkg.mod`` also runs ``pkg/__init__.py``; that implicit
edge is left out as well (every package that re-exports its modules would otherwise be a cycle).

``python -m tests.support.imports`` prints the cycles and the function-level imports.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("game", "leaderboard_server", "ringside_protocol", "models", "benchmarks")


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    top_level: bool  # False: inside a function or method body


def module_files(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file of our packages."""
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement that runs, with whether it is at module (or class) level."""
    def walk(node: ast.AST, top: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                yield child, top
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                for other in child.orelse:
                    yield from walk(ast.Module(body=[other], type_ignores=[]), top)
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                yield from walk(child, False)
            else:
                yield from walk(child, top)
    yield from walk(tree, True)


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The longest known module that ``name`` is or is inside of."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return None


def edges(known: dict[str, Path] | None = None) -> list[Edge]:
    known = module_files() if known is None else known
    found: dict[Edge, None] = {}  # in order, once per (module, target, line)
    for module, path in known.items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, top in _imports(tree):
            targets: list[str | None] = []
            if isinstance(node, ast.Import):
                targets = [_resolve(alias.name, known) for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = module.split(".") if is_package else module.split(".")[:-1]
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    targets.append(full if full in known else _resolve(base, known))
            for target in targets:
                if target is not None and target != module:
                    found[Edge(module, target, node.lineno, top)] = None
    return list(found)


def cycles(graph_edges: list[Edge]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for e in graph_edges:
        graph.setdefault(e.source, set()).add(e.target)
        graph.setdefault(e.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def cycle_edges(graph_edges: list[Edge], component: list[str]) -> list[Edge]:
    members = set(component)
    return [e for e in graph_edges if e.source in members and e.target in members]


def main() -> None:
    all_edges = edges()
    for component in cycles(all_edges):
        print("cycle:", " ".join(component))
        for e in cycle_edges(all_edges, component):
            where = "top" if e.top_level else "function"
            print(f"  {e.source}:{e.line} -> {e.target} ({where})")
    inner = [e for e in all_edges if not e.top_level]
    print(f"{len(inner)} function-level imports of our own modules")


if __name__ == "__main__":
    main()
