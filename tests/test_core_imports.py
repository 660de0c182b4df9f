"""The core is pure: no module under bot/core imports Slack (scanned with ast)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parent.parent / "bot" / "core"
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
