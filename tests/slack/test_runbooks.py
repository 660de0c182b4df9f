"""Tests for bot.runbooks and the shipped runbooks.

The shipped runbooks are tested here too, so a runbook edit that breaks its
structure (a lost issue, a missing Escalate part) fails CI rather than an
on-call engineer at 3 a.m.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.runbooks import Runbook, RunbookError, Section, load_runbook, parse_runbook
from bot.slack.runbook_mrkdwn import chunk_text, to_mrkdwn

RUNBOOK_DIR = Path(__file__).resolve().parents[2] / "runbooks"

SAMPLE = """\
# Aggregate Profit

What it produces.

Second intro paragraph.

## Missing revenue data

### Recognise

The row count drops.

### Diagnose

```bash
# count rows: this is a shell comment, not a heading
## nor is this
wc -l revenue.csv
```

## Slow jobs

Body of the second section.
"""


# --- parse_runbook ----------------------------------------------------------------


def test_parse_title_intro_and_sections() -> None:
    runbook = parse_runbook(SAMPLE)

    assert isinstance(runbook, Runbook)
    assert runbook.title == "Aggregate Profit"
    assert runbook.intro == "What it produces.\n\nSecond intro paragraph."
    assert [s.title for s in runbook.sections] == ["Missing revenue data", "Slow jobs"]
    assert runbook.sections[1] == Section(title="Slow jobs", body="Body of the second section.")


def test_parse_keeps_h3_inside_the_section() -> None:
    body = parse_runbook(SAMPLE).sections[0].body

    assert body.startswith("### Recognise\n\nThe row count drops.")
    assert "### Diagnose" in body


def test_parse_does_not_split_on_hash_lines_inside_a_code_fence() -> None:
    runbook = parse_runbook(SAMPLE)

    assert len(runbook.sections) == 2
    body = runbook.sections[0].body
    assert "# count rows: this is a shell comment, not a heading" in body
    assert "## nor is this" in body
    assert body.endswith("wc -l revenue.csv\n```")


def test_parse_ignores_a_title_inside_a_fence_and_tilde_fences() -> None:
    text = "~~~\n# Not the title\n~~~\n\n# Real title\n\n## One\n\n~~~\n## still code\n~~~\n"
    runbook = parse_runbook(text)

    assert runbook.title == "Real title"
    assert [s.title for s in runbook.sections] == ["One"]
    assert "## still code" in runbook.sections[0].body


def test_parse_without_sections_or_intro() -> None:
    assert parse_runbook("# Only a title\n") == Runbook(title="Only a title", intro="", sections=())


def test_parse_handles_crlf_bom_closing_hashes_and_text_before_title() -> None:
    text = "\ufeff<!-- owner: data eng -->\r\n# Title ##\r\nIntro\r\n## Issue #1 ##\r\nBody\r\n"
    runbook = parse_runbook(text)

    assert runbook.title == "Title"
    assert runbook.intro == "Intro"
    assert runbook.sections == (Section(title="Issue #1", body="Body"),)


def test_parse_hashtag_is_not_a_heading() -> None:
    runbook = parse_runbook("# Title\n\n#hashtag stays text\n")

    assert runbook.intro == "#hashtag stays text"
    assert runbook.sections == ()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   \n\n\t\n", "empty"),
        ("## Only a section\n\ntext\n", "no H1 title"),
        ("```\n# inside a fence\n```\n", "no H1 title"),
        ("#\n\nA title line without text\n", "no text"),
    ],
)
def test_parse_rejects_unusable_text(text: str, reason: str) -> None:
    with pytest.raises(RunbookError, match=reason):
        parse_runbook(text)


# --- load_runbook -----------------------------------------------------------------


def test_load_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "rb.md"
    path.write_text(SAMPLE, encoding="utf-8")

    assert load_runbook(path) == parse_runbook(SAMPLE)


def test_load_accepts_a_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "rb.md"
    path.write_bytes("\ufeff# Café runbook\n".encode())

    assert load_runbook(path).title == "Café runbook"


def test_load_missing_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.md"

    with pytest.raises(RunbookError) as info:
        load_runbook(path)

    assert info.value.path == path
    assert "not found" in str(info.value)
    assert str(path) in str(info.value)


def test_load_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.md"
    path.write_text("", encoding="utf-8")

    with pytest.raises(RunbookError, match="empty") as info:
        load_runbook(path)
    assert str(path) in str(info.value)


def test_load_file_without_title(tmp_path: Path) -> None:
    path = tmp_path / "untitled.md"
    path.write_text("Just some notes.\n\n## A section\n", encoding="utf-8")

    with pytest.raises(RunbookError, match="no H1 title") as info:
        load_runbook(path)
    assert info.value.path == path


def test_load_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.md"
    path.write_bytes("# Caf\u00e9\n".encode("latin-1"))

    with pytest.raises(RunbookError, match="not UTF-8"):
        load_runbook(path)


def test_load_directory(tmp_path: Path) -> None:
    with pytest.raises(RunbookError, match="directory"):
        load_runbook(tmp_path)


# --- to_mrkdwn --------------------------------------------------------------------


def test_to_mrkdwn_bold() -> None:
    assert to_mrkdwn("This is **important**.") == "This is *important*."


def test_to_mrkdwn_link() -> None:
    assert to_mrkdwn("See [the docs](https://example.com/a?b=1).") == (
        "See <https://example.com/a?b=1|the docs>."
    )


def test_to_mrkdwn_headings_become_bold_lines() -> None:
    assert to_mrkdwn("## Diagnose\n\n### Recognise") == "*Diagnose*\n\n*Recognise*"


def test_to_mrkdwn_keeps_lists() -> None:
    assert to_mrkdwn("- one\n- two\n\n1. first\n2. second") == (
        "• one\n• two\n\n1. first\n2. second"
    )


def test_to_mrkdwn_leaves_code_alone_and_drops_the_language_tag() -> None:
    markdown = (
        "1. Run:\n   ```sql\n   SELECT count(*) FROM t -- **not bold**\n"
        "   # not a heading\n   ```\n2. Done"
    )

    assert to_mrkdwn(markdown) == (
        "1. Run:\n```\nSELECT count(*) FROM t -- **not bold**\n# not a heading\n```\n2. Done"
    )


def test_to_mrkdwn_leaves_inline_code_alone() -> None:
    assert to_mrkdwn("Run `SELECT * FROM t WHERE a*b > 1` now") == (
        "Run `SELECT * FROM t WHERE a*b &gt; 1` now"
    )


def test_to_mrkdwn_escapes_placeholders_so_slack_does_not_read_them_as_links() -> None:
    assert to_mrkdwn("Open <dashboard link> & check") == "Open &lt;dashboard link&gt; &amp; check"
    assert to_mrkdwn("Open <https://example.com>") == "Open <https://example.com>"


def test_to_mrkdwn_empty() -> None:
    assert to_mrkdwn("") == ""


# --- chunk_text -------------------------------------------------------------------

_FENCE_LINE = re.compile(r"^[ \t]*(?:`{3,}|~{3,})[^`]*$", re.MULTILINE)


def _content(text: str) -> str:
    """Text without fence lines or whitespace: what must survive chunking."""
    return re.sub(r"\s+", "", _FENCE_LINE.sub("", text))


def _fences_balanced(piece: str) -> bool:
    return len(_FENCE_LINE.findall(piece)) % 2 == 0


def _assert_good_chunks(text: str, pieces: list[str], limit: int) -> None:
    assert pieces, "non-blank text must give at least one piece"
    for piece in pieces:
        assert piece.strip(), "no empty pieces"
        assert len(piece) <= limit
    assert _content("\n".join(pieces)) == _content(text)


def test_chunk_short_text_is_one_piece() -> None:
    assert chunk_text("*Recognise*\n\nShort.") == ["*Recognise*\n\nShort."]


@pytest.mark.parametrize("text", ["", "   ", "\n\n\n"])
def test_chunk_blank_text_gives_no_pieces(text: str) -> None:
    assert chunk_text(text) == []


def test_chunk_prefers_paragraph_boundaries() -> None:
    paragraphs = [f"Paragraph {i}: " + "word " * 40 for i in range(30)]
    text = "\n\n".join(p.strip() for p in paragraphs)

    pieces = chunk_text(text, limit=500)

    _assert_good_chunks(text, pieces, 500)
    assert len(pieces) > 1
    for piece in pieces:
        for paragraph in piece.split("\n\n"):
            assert paragraph.startswith("Paragraph ") and paragraph.endswith("word")


def test_chunk_falls_back_to_line_boundaries() -> None:
    text = "\n".join(f"• item {i} " + "x" * 30 for i in range(100))

    pieces = chunk_text(text, limit=300)

    _assert_good_chunks(text, pieces, 300)
    assert all(line.startswith("• item ") for piece in pieces for line in piece.split("\n"))


def test_chunk_keeps_a_fence_whole_when_it_fits() -> None:
    code = "```\n" + "\n".join(f"line {i}" for i in range(20)) + "\n```"
    text = "Intro " + "x" * 150 + "\n\n" + code + "\n\nOutro"

    pieces = chunk_text(text, limit=200)

    _assert_good_chunks(text, pieces, 200)
    assert any(code in piece for piece in pieces)
    assert sum(piece.count("```") for piece in pieces) == 2  # not closed and reopened


def test_chunk_splits_a_long_code_block_closing_and_reopening_the_fence() -> None:
    code_lines = [f"SELECT {i} AS n FROM t;" for i in range(400)]
    text = "Run this:\n\n```\n" + "\n".join(code_lines) + "\n```\n\nThen check the output."

    pieces = chunk_text(text)

    _assert_good_chunks(text, pieces, 2900)
    code_pieces = [p for p in pieces if "SELECT" in p]
    assert len(code_pieces) > 1
    for piece in code_pieces:
        assert _fences_balanced(piece)
        assert piece.startswith("```\n") or not piece.startswith("SELECT")
        assert piece.rstrip().endswith("```") or "Then check" in piece
    # Every code line survives whole, in order.
    seen = [line for p in pieces for line in p.split("\n") if line.startswith("SELECT")]
    assert seen == code_lines


def test_chunk_reopens_with_the_original_fence_opener() -> None:
    text = "~~~sql\n" + "\n".join(f"-- {i}" for i in range(50)) + "\n~~~"

    pieces = chunk_text(text, limit=100)

    _assert_good_chunks(text, pieces, 100)
    assert all(p.startswith("~~~sql\n") and p.endswith("\n~~~") for p in pieces)


def test_chunk_splits_a_single_overlong_line() -> None:
    text = " ".join(f"word{i}" for i in range(2000))

    pieces = chunk_text(text, limit=2900)

    _assert_good_chunks(text, pieces, 2900)
    assert len(pieces) > 1
    assert "".join(pieces) == text  # split at spaces, nothing lost


def test_chunk_splits_an_overlong_code_line_inside_a_fence() -> None:
    text = "```\n" + "z" * 500 + "\n```"

    pieces = chunk_text(text, limit=100)

    _assert_good_chunks(text, pieces, 100)
    assert all(p.startswith("```\n") and p.endswith("\n```") for p in pieces)


def test_chunk_rejects_a_tiny_limit() -> None:
    with pytest.raises(ValueError, match="limit"):
        chunk_text("text", limit=5)


_LINE = st.one_of(
    st.text(alphabet="abc *_#>", min_size=0, max_size=60),
    st.just(""),
    st.text(alphabet="xyz ", min_size=100, max_size=400),
)
_BLOCK = st.one_of(
    st.lists(_LINE, min_size=1, max_size=8).map("\n".join),
    st.lists(_LINE, min_size=0, max_size=30).map(lambda ls: "\n".join(["```", *ls, "```"])),
)


@settings(max_examples=200, deadline=None)
@given(blocks=st.lists(_BLOCK, min_size=1, max_size=12), limit=st.integers(20, 400))
def test_chunk_properties(blocks: list[str], limit: int) -> None:
    text = "\n\n".join(blocks)

    pieces = chunk_text(text, limit=limit)

    if not text.strip():
        assert pieces == []
        return
    _assert_good_chunks(text, pieces, limit)
    assert all(_fences_balanced(p) for p in pieces)


# --- the shipped runbooks ---------------------------------------------------------

# The seed's three potential issues per investor pipeline, as key words to find.
SHIPPED = {
    "aggregate-profit.md": (
        "Jill",
        [
            ("data source", "revenue"),
            ("profit calculation", "upstream"),
            ("delayed", "resource"),
        ],
    ),
    "aggregate-growth.md": (
        "Davis",
        [
            ("inconsistenc", "business unit"),
            ("reporting period",),
            ("api", "ingestion"),
        ],
    ),
    "aggregate-engagement.md": (
        "Davis",
        [
            ("metric definition", "communication"),
            ("spike", "drop", "anomal"),
            ("third-party",),
        ],
    ),
}

_SUBPART = re.compile(r"^(?:#{3,6}[ \t]+(.+?)|\*\*(.+?)\*\*)[ \t]*$", re.MULTILINE)


def _subparts(body: str) -> dict[str, str]:
    """Split a section body into its H3 (or bold-line) parts: title -> text."""
    matches = list(_SUBPART.finditer(body))
    parts: dict[str, str] = {}
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(body)
        parts[(match[1] or match[2]).strip().lower()] = body[match.end() : end].strip()
    return parts


@pytest.mark.parametrize("filename", sorted(SHIPPED))
def test_shipped_runbook_covers_the_seed_issues(filename: str) -> None:
    secondary, issues = SHIPPED[filename]
    runbook = load_runbook(RUNBOOK_DIR / filename)

    assert runbook.title
    assert "investor" in runbook.intro.lower()
    assert "06:00" in runbook.intro
    assert len(runbook.sections) == 3
    for section, words in zip(runbook.sections, issues, strict=True):
        title = section.title.lower()
        assert all(word in title for word in words), (section.title, words)

        parts = _subparts(section.body)
        for part in ("recognise", "diagnose", "mitigate", "escalate"):
            assert parts.get(part), f"{filename}: '{section.title}' has no {part} text"
        assert "1." in parts["diagnose"] and "1." in parts["mitigate"]
        assert secondary in parts["escalate"] or "secondary owner" in parts["escalate"]
        assert "finance" in parts["escalate"].lower() or "team lead" in parts["escalate"]


@pytest.mark.parametrize("filename", sorted(SHIPPED))
def test_shipped_runbook_is_fit_for_slack(filename: str) -> None:
    path = RUNBOOK_DIR / filename
    text = path.read_text(encoding="utf-8")
    assert len(text) <= 6500
    assert "@channel" not in text and "@here" not in text
    assert not re.search(r"https?://", text), "use placeholders like <dashboard link>, not URLs"

    runbook = load_runbook(path)
    for markdown in [runbook.intro, *(s.body for s in runbook.sections)]:
        mrkdwn = to_mrkdwn(markdown)
        assert "**" not in mrkdwn and "### " not in mrkdwn
        for piece in chunk_text(mrkdwn):
            assert 0 < len(piece) <= 2900
