"""The rcv package's layout holds (issue 9): no import cycles, and RCTab's order config → readers →
tabulator → writers with only the sessions wiring them together. Imports are read from the source
(every ``import`` statement, those inside functions too), so a lazy import cannot hide a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import electoral.rcv

ROOT = Path(electoral.rcv.__file__).parent
PACKAGE = "electoral.rcv"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PACKAGE, *parts))


def _imports() -> dict[str, set[str]]:
    """Each rcv module -> the rcv modules it imports (``from pkg import name`` counts as the
    submodule when ``name`` is one, else as ``pkg``)."""
    modules = {_module_name(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    targets.add(sub if sub in modules else node.module)
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycle_inside_rcv() -> None:
    graph = _imports()
    assert len(graph) > 25  # the walk found the package
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_a_planted_cycle_is_found() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def _reach(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in graph[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def test_only_sessions_wire_readers_tabulator_and_writers() -> None:
    graph = _imports()
    readers = {m for m in graph if m.startswith(f"{PACKAGE}.cvr")}
    tabulator = {f"{PACKAGE}.{m}" for m in ("engine", "count", "fast", "kernel")}
    writers = {f"{PACKAGE}.{m}" for m in ("rctab_report", "cdf_export", "tables")}
    sessions = {m for m in graph if m.startswith(f"{PACKAGE}.session")}
    wired = readers | tabulator | writers | sessions
    for reader in readers:
        assert not _reach(graph, reader) & (wired - readers), reader
    for module in tabulator:
        assert not _reach(graph, module) & (wired - tabulator), module
    for writer in writers:
        assert not _reach(graph, writer) & (wired - writers), writer
    assert not _reach(graph, f"{PACKAGE}.rctab_config") & wired - readers
