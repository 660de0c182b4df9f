"""Import guards, scanned with ast.

The core is pure: no module under bot/core imports Slack, storage or the clock, or
asks the system for the time. Storage is reached only through `Store`: no module
outside bot/storage imports its tables, SQLModel, SQLAlchemy or Alembic.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "bot" / "core"
FORBIDDEN = ("slack_bolt", "slack_sdk")


def imported_modules(source: str) -> set[str]:
    """Every module an `import` or `from ... import` names, anywhere in the file
    (including inside functions and `if TYPE_CHECKING:` blocks)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name | ast.Attribute)
            and getattr(node.func, "id", getattr(node.func, "attr", ""))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return found


def _is_forbidden(module: str) -> bool:
    return any(module == f or module.startswith(f + ".") for f in FORBIDDEN)


def test_the_scanner_sees_every_form_of_import() -> None:
    source = (
        "import slack_sdk\n"
        "from slack_bolt.app import App\n"
        "def f():\n    import slack_sdk.web as w\n"
        "import importlib\nimportlib.import_module('slack_bolt')\n"
        "from . import model\n"
    )
    found = imported_modules(source)
    assert {"slack_sdk", "slack_bolt.app", "slack_sdk.web", "slack_bolt"} <= found
    assert all(_is_forbidden(m) for m in found - {"importlib"})
    assert not _is_forbidden("slack_sdkish") and not _is_forbidden("bot.slack")


CORE_FILES = sorted(CORE.rglob("*.py"))


def test_core_has_modules_to_scan() -> None:
    names = {p.name for p in CORE_FILES}
    assert {"model.py", "weeks.py", "oncall.py", "swaps.py", "timeoff.py"} <= names


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: p.name)
def test_no_core_module_imports_slack(path: Path) -> None:
    found = imported_modules(path.read_text(encoding="utf-8"))
    assert sorted(m for m in found if _is_forbidden(m)) == []
    # nor does it reach out to the app's Slack layer
    assert sorted(m for m in found if m == "bot.slack" or m.startswith("bot.slack.")) == []


# --- the core reads no clock and no storage ----------------------------------------------

CORE_ALSO_FORBIDDEN = ("bot.storage", "bot.clock", "sqlmodel", "sqlalchemy", "alembic")
# Every "now" comes from the injected clock: the core is given instants, never asks.
CLOCK_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("time", "time")}


def clock_calls(source: str) -> set[str]:
    """`datetime.now()`, `date.today()`, `time.time()` (also as `datetime.datetime.now()`)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = getattr(owner, "id", getattr(owner, "attr", None))
            if (name, node.func.attr) in CLOCK_CALLS:
                found.add(f"{name}.{node.func.attr}()")
    return found


def test_the_clock_scanner_sees_each_form() -> None:
    source = (
        "import datetime, time\nfrom datetime import date\n"
        "a = datetime.datetime.now()\nb = date.today()\nc = time.time()\n"
        "d = clock.now()\n"
    )
    assert clock_calls(source) == {"datetime.now()", "date.today()", "time.time()"}


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: p.name)
def test_no_core_module_reads_storage_or_the_clock(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    found = imported_modules(source)
    assert sorted(m for m in found if _under(m, CORE_ALSO_FORBIDDEN)) == []
    assert sorted(clock_calls(source)) == []


# --- storage only through Store ----------------------------------------------------------

BOT = CORE.parent
STORAGE = BOT / "storage"
STORAGE_ONLY = ("bot.storage.tables", "sqlmodel", "sqlalchemy", "alembic")


def _under(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


OUTSIDE_STORAGE = sorted(p for p in BOT.rglob("*.py") if STORAGE not in p.parents)


def test_the_storage_guard_scans_the_app() -> None:
    names = {p.relative_to(BOT).as_posix() for p in OUTSIDE_STORAGE}
    assert {"cli.py", "runner.py", "slack/middleware.py", "scheduler/announcer.py"} <= names
    assert not any(n.startswith("storage/") for n in names)
    assert _under("sqlalchemy.exc", STORAGE_ONLY) and not _under("bot.storage.store", STORAGE_ONLY)


@pytest.mark.parametrize("path", OUTSIDE_STORAGE, ids=lambda p: p.relative_to(BOT).as_posix())
def test_only_storage_touches_tables_and_the_orm(path: Path) -> None:
    """Tables, sessions and SQL belong to bot/storage: everything else calls `Store`."""
    found = imported_modules(path.read_text(encoding="utf-8"))
    assert sorted(m for m in found if _under(m, STORAGE_ONLY)) == []
