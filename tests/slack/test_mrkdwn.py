"""bot.slack.mrkdwn and the block helpers: escaping by construction, and lists that
continue in the next block instead of being cut (issue 11, defects 2 and 3)."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest
from slack_sdk.models.blocks import DividerBlock

from bot.core.model import Member
from bot.slack.blocks import kit
from bot.slack.mrkdwn import (
    Mrkdwn,
    bold,
    code,
    date_token,
    escape,
    italic,
    join,
    lines,
    md,
    mention,
    mention_id,
    shorten,
    typed_text,
)

BOT = Path(__file__).resolve().parents[2] / "bot"
EVIL = "<!channel> <@U123> <https://evil|click> & more"
EVIL_ESCAPED = "&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil|click&gt; &amp; more"


# --- making Mrkdwn ----------------------------------------------------------------------------


def test_escape_follows_slacks_rule_and_never_escapes_twice() -> None:
    assert escape(EVIL) == EVIL_ESCAPED
    assert isinstance(escape(EVIL), Mrkdwn)
    assert escape(escape(EVIL)) == EVIL_ESCAPED
    assert escape("*bold* _it_ :emoji: @channel") == "*bold* _it_ :emoji: @channel"
    with pytest.raises(TypeError):
        escape(5)  # type: ignore[arg-type]


def test_md_escapes_its_arguments_but_not_its_template_or_mrkdwn() -> None:
    out = md("*{}* asks {} ({:>3})", EVIL, mention_id("U0000000001"), 7)
    assert out == f"*{EVIL_ESCAPED}* asks <@U0000000001> (  7)"
    assert isinstance(out, Mrkdwn)
    assert md("{x}", x="<b>") == "&lt;b&gt;"


def test_a_template_cannot_hold_a_link_mention_or_ping() -> None:
    with pytest.raises(ValueError):
        md("<!channel> {}", "x")
    with pytest.raises(ValueError):
        join("<", ["a"])
    assert md("`{:>3}`", 1) == "`  1`"  # a format spec's `>` is not text


def test_wrappers_escape_data() -> None:
    assert bold(EVIL) == f"*{EVIL_ESCAPED}*"
    assert italic("a<b") == "_a&lt;b_"
    assert code("run `x` <y>") == "`run ʹxʹ &lt;y&gt;`"
    assert join(", ", ["<a>", md("*b*")]) == "&lt;a&gt;, *b*"
    assert lines(["a&", "b"]) == "a&amp;\nb"
    assert mention(Member("m", "M", "U0000000009")) == "<@U0000000009>"
    assert mention(None) == "nobody"
    assert mention_id("<!channel>") == "&lt;!channel&gt;"  # not a user id: data
    at = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
    assert date_token(at, "Mon | <x>") == (
        f"<!date^{int(at.timestamp())}^{{date_short_pretty}} {{time}}|Mon ¦ &lt;x&gt;>"
    )


def test_anything_else_is_a_plain_str() -> None:
    safe = md("*{}*", "a")
    assert isinstance(safe + md("b"), Mrkdwn)
    for unsafe in (safe + "<!channel>", "<!channel>" + safe, f"{safe}<!channel>", safe[:2]):
        assert not isinstance(unsafe, Mrkdwn)


def test_shorten_never_cuts_an_escaped_character_or_a_token() -> None:
    text = escape("a" * 10 + "&" * 10)
    for limit in range(5, len(text)):
        short = shorten(text, limit)
        assert len(short) <= limit and short.endswith("…")
        body = short[:-1]
        assert body.count("&") == body.count(";")  # whole entities only
    token = md("xx {}", mention_id("U0000000001"))
    assert shorten(token, 10) == "xx …"


# --- the block helpers take only Mrkdwn -----------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda t: kit.section(t),
        lambda t: kit.context(t),
        lambda t: kit.fields([t]),
        lambda t: kit.sections([t]),
        lambda t: kit.mrkdwn(t),
    ],
)
def test_a_plain_str_is_refused(build: object) -> None:
    with pytest.raises(TypeError, match="Mrkdwn"):
        build("a name from the team file")  # type: ignore[operator]
    build(escape("a name from the team file"))  # type: ignore[operator]


def test_a_section_over_the_limit_says_it_was_shortened() -> None:
    block = kit.section(escape("x" * 5000)).to_dict()
    text = block["text"]["text"]
    assert len(text) <= 3000 and "more characters not shown" in text


def test_fields_go_ten_to_a_section() -> None:
    blocks = kit.fields([escape(str(i)) for i in range(23)])
    assert [len(b.to_dict()["fields"]) for b in blocks] == [10, 10, 3]


# --- lists: packed between lines, never cut silently ------------------------------------------


def test_lines_are_packed_into_as_many_sections_as_they_need() -> None:
    items = [escape(f"• pipeline {i:03d} " + "x" * 80) for i in range(120)]
    blocks = kit.sections(items)
    texts = [b.to_dict()["text"]["text"] for b in blocks]
    assert len(texts) > 3 and all(len(t) <= kit.SECTION_LIMIT for t in texts)
    assert "\n".join(texts).split("\n") == items  # every line, whole, in order


def test_a_single_over_long_line_is_shortened_visibly() -> None:
    long = escape("y" * 4000)
    texts = [b.to_dict()["text"]["text"] for b in kit.sections([escape("before"), long])]
    assert all(len(t) <= kit.SECTION_LIMIT for t in texts)
    joined = "\n".join(texts)
    assert joined.startswith("before\nyyy") and "y…" in joined
    assert "line shortened" in joined and "characters not shown" in joined


def test_cap_says_how_much_is_left_out_and_where_to_see_it() -> None:
    blocks = [DividerBlock() for _ in range(60)]
    capped = kit.cap(blocks, 50, md("see {}", code("/oncall schedule")))
    assert len(capped) == 50
    note = capped[-1].to_dict()["elements"][0]["text"]
    assert note == "_… 11 more blocks not shown: see `/oncall schedule`._"
    assert kit.cap(blocks[:50]) == blocks[:50]


# --- by construction: the rules hold for every module in bot/ ---------------------------------


def _calls(name: str) -> list[tuple[str, ast.Call]]:
    out = []
    for path in sorted(BOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if called == name:
                    out.append((str(path.relative_to(BOT.parent)), node))
    return out


def test_only_the_runbook_converter_trusts_text() -> None:
    users = {path for path, _ in _calls("trusted")}
    assert users <= {"bot/slack/mrkdwn.py", "bot/slack/runbook_mrkdwn.py"}


def test_mrkdwn_is_made_only_in_its_module() -> None:
    assert {path for path, _ in _calls("Mrkdwn")} <= {"bot/slack/mrkdwn.py"}


def test_every_template_is_a_literal() -> None:
    """An f-string template would put data in the trusted part: md("{}", data) instead."""
    for path, call in _calls("md"):
        first = call.args[0] if call.args else None
        assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
            f"{path}:{call.lineno}: md() needs a literal template"
        )


def test_text_objects_are_built_only_by_the_block_helpers() -> None:
    for name in ("MarkdownTextObject", "SectionBlock", "ContextBlock"):
        assert {path for path, _ in _calls(name)} <= {"bot/slack/blocks/kit.py"}, name


def test_a_runbook_keeps_its_links_but_cannot_disguise_one() -> None:
    from bot.slack.runbook_mrkdwn import chunk_mrkdwn, to_mrkdwn

    out = to_mrkdwn("See <https://evil.example|click> or <https://ok.example>, & <!here>.")
    assert isinstance(out, Mrkdwn)
    assert "&lt;https://evil.example|click&gt;" in out and "<https://ok.example>" in out
    assert "&lt;!here&gt;" in out and "&amp;" in out
    assert all(isinstance(p, Mrkdwn) for p in chunk_mrkdwn(out, 40))
    with pytest.raises(TypeError):
        chunk_mrkdwn("plain", 40)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("sent", "typed"),
    [
        ("<@U0000000002|James> says loads fail", "@James says loads fail"),
        ("ask <@U0000000002>", "ask @U0000000002"),
        ("in <#C0000000001|on-call>", "in #on-call"),
        ("<!channel> and <!here>", "@channel and @here"),
        ("<!subteam^S0001|@oncall> ping", "@oncall ping"),
        (
            "see <https://grafana.example/d/1|the dashboard>",
            "see the dashboard (https://grafana.example/d/1)",
        ),
        ("<https://grafana.example/d/1>", "https://grafana.example/d/1"),
        ("a &lt; b &amp;&amp; c &gt; d", "a < b && c > d"),
        ("&amp;lt; stays as typed", "&lt; stays as typed"),
        ("plain", "plain"),
    ],
)
def test_typed_text_is_what_the_person_saw(sent: str, typed: str) -> None:
    assert typed_text(sent) == typed
    # and it is inert once escaped: no ping, no link, no mention survives
    assert "<" not in escape(typed_text(sent))
