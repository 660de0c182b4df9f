"""No import cycles in bot/: between modules, or between its packages (scanned with ast).

Every import counts, wherever it is written: a lazy import inside a function or one
under `if TYPE_CHECKING:` hides a cycle from Python, not from the design. The scheduler,
for example, asks a notifier (a Protocol it defines) instead of importing Slack
builders, so bot.slack may depend on bot.scheduler and never the other way round.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"

Graph = Mapping[str, Iterable[str]]


def module_files(root: Path = BOT) -> dict[str, Path]:
    """Every module of the package at `root`, by dotted name (a package by its own)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imported_names(module: str, path: Path, source: str) -> set[str]:
    """Dotted names an import in `source` may refer to (a module, or a name in one)."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names.update(f"{base}.{alias.name}" for alias in node.names)
            names.add(base)
    return names


def import_graph(modules: Mapping[str, Path], sources: Mapping[str, str] | None = None) -> Graph:
    """module -> the modules of `modules` it imports. `from pkg import sub` is an edge to
    pkg.sub alone when sub is a module; importing an ancestor package is not an edge
    (every import of a module runs its parents first: that is no design choice)."""
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        source = sources[module] if sources is not None else path.read_text(encoding="utf-8")
        targets: set[str] = set()
        names = _imported_names(module, path, source)
        for name in names:
            if any(other.startswith(name + ".") and other in modules for other in names):
                continue  # `from pkg import sub`: the edge is to pkg.sub
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module and not module.startswith(name + "."):
                targets.add(name)
        graph[module] = targets
    return graph


def cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def unit(module: str) -> str:
    """The package-level unit of a module: bot.slack.x.y -> bot.slack; bot.cli -> bot.cli."""
    return ".".join(module.split(".")[:2])


def package_graph(graph: Graph) -> Graph:
    units: dict[str, set[str]] = {}
    for module, targets in graph.items():
        units.setdefault(unit(module), set()).update(
            unit(t) for t in targets if unit(t) != unit(module)
        )
    return units


# --- the scanner itself ----------------------------------------------------------------


def _fake(tmp_path: Path, files: dict[str, str]) -> tuple[dict[str, Path], dict[str, str]]:
    modules, sources = {}, {}
    for name, source in files.items():
        parts = name.split(".")
        is_package = name.endswith("/")
        dotted = name.rstrip("/")
        rel = Path(*dotted.split(".")) / "__init__.py" if is_package else Path(*parts)
        path = tmp_path / (str(rel) if is_package else str(rel) + ".py")
        modules[dotted] = path
        sources[dotted] = source
    return modules, sources


def test_a_lazy_or_type_checking_import_still_makes_a_cycle(tmp_path: Path) -> None:
    modules, sources = _fake(
        tmp_path,
        {
            "bot/": "",
            "bot.a": "from bot.b import x\n",
            "bot.b": "def f():\n    from bot.a import y\n",
            "bot.c": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import bot.d\n",
            "bot.d": "from . import c\n",
            "bot.e": "import bot.a\n",
        },
    )
    assert cycles(import_graph(modules, sources)) == [["bot.a", "bot.b"], ["bot.c", "bot.d"]]


def test_packages_are_one_node_and_parents_are_no_edge(tmp_path: Path) -> None:
    modules, sources = _fake(
        tmp_path,
        {
            "bot/": "",
            "bot.slack/": "from bot.slack import notifier\n",
            "bot.slack.notifier": "from bot.slack.blocks import x\nimport bot.scheduler.jobs\n",
            "bot.slack.blocks": "",
            "bot.scheduler/": "",
            "bot.scheduler.jobs": "from bot.slack.blocks import build\n",
        },
    )
    graph = import_graph(modules, sources)
    assert cycles(graph) == []  # a package importing its own module, a module its parent
    assert cycles(package_graph(graph)) == [["bot.scheduler", "bot.slack"]]


# --- bot/ ---------------------------------------------------------------------------------


def test_the_scan_sees_bot() -> None:
    graph = import_graph(module_files())
    assert "bot.scheduler.announcer" in graph["bot.scheduler.jobs"]
    assert "bot.slack.notifier" in graph["bot.runner"]  # a lazy import, inside start()


def test_no_module_import_cycles() -> None:
    assert cycles(import_graph(module_files())) == []


def test_no_package_import_cycles() -> None:
    """Among bot's packages and top-level modules (slack, scheduler, storage, core,
    service, cli, cli_admin, runner, ...)."""
    assert cycles(package_graph(import_graph(module_files()))) == []


def test_scheduling_asks_the_notifier_and_imports_no_slack_code() -> None:
    graph = import_graph(module_files())
    scheduler = [m for m in graph if unit(m) == "bot.scheduler"]
    assert scheduler
    for module in scheduler:
        assert sorted(t for t in graph[module] if unit(t) == "bot.slack") == [], module
