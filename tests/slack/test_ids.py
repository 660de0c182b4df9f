"""Every action_id, callback_id and agreed block_id is defined once, in bot.slack.ids
(issue 11: SWAP_ACCEPT lived in two modules and as a literal in a third)."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.slack import ids

BOT = Path(__file__).resolve().parents[2] / "bot"
IDS_FILE = BOT / "slack" / "ids.py"
ID_KEYWORDS = {"action_id", "callback_id", "block_id"}
REGISTRARS = {"action", "view", "block_action", "block_suggestion", "options"}

ALL_IDS = {k: v for k, v in vars(ids).items() if k.isupper() and isinstance(v, str)}
# Words like "note" or "start" are also ordinary strings; ids with an underscore are not.
DISTINCT = {v for v in ALL_IDS.values() if "_" in v.strip("_")}


def _is_literal(node: ast.expr | None) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    # f"swap_request_{id}": a literal prefix is an id spelled out too
    return isinstance(node, ast.JoinedStr) and any(
        isinstance(v, ast.Constant) and v.value for v in node.values[:1]
    )


def _modules() -> list[tuple[str, ast.AST]]:
    return [
        (str(p.relative_to(BOT.parent)), ast.parse(p.read_text(encoding="utf-8")))
        for p in sorted(BOT.rglob("*.py"))
        if p != IDS_FILE
    ]


def test_no_id_is_spelled_as_a_literal_where_it_is_used() -> None:
    found = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            for kw in node.keywords:
                if kw.arg in ID_KEYWORDS and _is_literal(kw.value):
                    found.append(f"{path}:{node.lineno} {kw.arg}=")
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr in REGISTRARS
                and node.args
                and _is_literal(node.args[0])
            ):
                found.append(f"{path}:{node.lineno} .{func.attr}(...)")
    assert found == [], "use bot.slack.ids: " + ", ".join(found)


def test_no_slack_module_repeats_an_ids_value() -> None:
    """The Slack edge names ids only through bot.slack.ids. (The core names the fields a
    Refusal points at, "my_week", "their_week"; the input block_ids equal them by design.)"""
    found = [
        f"{path}:{node.lineno} {node.value!r}"
        for path, tree in _modules()
        if path.startswith("bot/slack/")
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in DISTINCT
    ]
    assert found == [], "use bot.slack.ids: " + ", ".join(found)


def test_button_and_modal_ids_are_distinct() -> None:
    buttons = [
        ids.SWAP_ACCEPT,
        ids.SWAP_DECLINE,
        ids.SWAP_CANCEL,
        ids.SWAP_OPEN,
        ids.SWAP_CANDIDATE,
        ids.TIMEOFF_OPEN,
        ids.RUNBOOKS_LIST,
        ids.HANDOVER_NOTE_OPEN,
    ]
    modals = [ids.SWAP_MODAL, ids.TIMEOFF_MODAL, ids.HANDOVER_NOTE_MODAL]
    assert len(set(buttons)) == len(buttons) and len(set(modals)) == len(modals)


def test_the_detector_sees_a_literal() -> None:
    """The scan can fail: it finds the forms the old code used."""
    tree = ast.parse(
        'ButtonElement(text="Accept", action_id="swap_accept")\n'
        'app.action("swap_open")(f)\n'
        'ActionsBlock(block_id=f"swap_request_{r.id}")\n'
    )
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    literal_kw = [kw for c in calls for kw in c.keywords if kw.arg in ID_KEYWORDS]
    assert all(_is_literal(kw.value) for kw in literal_kw) and len(literal_kw) == 2
    registrars = [c for c in calls if isinstance(c.func, ast.Attribute)]
    assert any(_is_literal(c.args[0]) for c in registrars if c.args)
