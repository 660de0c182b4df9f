"""Broken team configs: random mutations of the shipped oncall.yml.

Whatever the file holds, parsing ends in a Team or in one ConfigError that lists
the problems: never another exception (a traceback at the person starting the bot).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.config import ConfigError, load_config, parse_config

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "oncall.yml"
BASE = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))

# Values YAML can produce (safe_load): scalars of every type, dates, and containers.
scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "monday 09:00",
            "monday 25:99",
            "funday 09:00",
            "off",
            "Mars/Olympus",
            "America/New_York",
            "../../../etc/passwd",
            "/dev/zero",
            "runbooks",
            "C0000000000",
            "U0000000001",
            "S123",
            "john",
            "XX",
            "US",
            "2026-02-30",
            "2026-11-30",
            "9999-12-31",
            "x" * 10_000,
            "\u202e",
            "\x00",
        ]
    ),
    st.dates(),
    st.datetimes(),
    st.just(time(9, 0)),
    st.just(math.nan),
    st.just(date.max),
    st.just(b"bytes"),
)
value = st.recursive(
    scalar,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=8,
)


def _children(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return list(node)
    if isinstance(node, list):
        return list(range(len(node)))
    return []


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in the document: containers and leaves."""
    for key in _children(node):
        yield (*path, key)
        yield from _paths(node[key], (*path, key))


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    """The shipped config with 1-4 random changes anywhere in it: a value replaced, a
    key removed, a list item duplicated, a key added."""
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 4))):
        places = list(_paths(data))
        if not places:
            break
        *parents, key = draw(st.sampled_from(places))
        parent = data
        for step in parents:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "replace", "remove", "duplicate", "add"]))
        if action == "replace":
            parent[key] = draw(value)
        elif action == "remove":
            del parent[key]
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=12))] = draw(value)
    if draw(st.integers(0, 9)) == 0:  # now and then, the whole document replaced
        data = draw(value)
    return data


def _unusable_runbook_path(data: Any) -> bool:
    """A runbook path the OS refuses outright (a NUL, a name over 255 bytes): the known
    bug in bot/config.py tested below; left out of the random search until it is fixed."""
    pipelines = data.get("pipelines") if isinstance(data, dict) else None
    for p in pipelines if isinstance(pipelines, list) else []:
        book = p.get("runbook") if isinstance(p, dict) else None
        if book and ("\x00" in str(book) or len(str(book).encode()) > 200):
            return True
    return False


SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@SETTINGS
@given(data=mutated())
def test_a_mutated_config_parses_or_lists_its_problems(data: Any) -> None:
    assume(not _unusable_runbook_path(data))
    try:
        parse_config(data, ROOT, "oncall.yml")
    except ConfigError as e:
        assert e.problems, "a ConfigError names at least one problem"
        assert all(isinstance(p, str) and p for p in e.problems)
        assert "Traceback" not in str(e)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cut=st.integers(0, len(SHIPPED.read_text())),
    insert=st.one_of(
        st.text(max_size=20),
        st.sampled_from([":", "- ", "\t", "{", "[", "&a", "*a", "!!python/object:os.system", "%"]),
    ),
)
def test_a_mangled_config_file_loads_or_lists_its_problems(
    tmp_path_factory: pytest.TempPathFactory, cut: int, insert: str
) -> None:
    text = SHIPPED.read_text()
    path = tmp_path_factory.mktemp("cfg") / "oncall.yml"
    path.write_text(text[:cut] + insert + text[cut:], encoding="utf-8")
    (path.parent / "runbooks").symlink_to(ROOT / "runbooks")
    try:
        load_config(path)
    except ConfigError as e:
        assert e.problems and "Traceback" not in str(e)


@pytest.mark.parametrize(
    "raw",
    [b"\xff\xfe\x00garbage", b"", b"just a string", b"- a\n- list\n", b"team: [unclosed"],
)
def test_unreadable_files_are_one_clear_error(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "oncall.yml"
    path.write_bytes(raw)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems


@pytest.mark.parametrize("book", ["runbooks/\x00.md", "x" * 10_000])
def test_an_unusable_runbook_path_is_a_config_problem(book: str) -> None:
    data = copy.deepcopy(BASE)
    data["pipelines"][0]["runbook"] = book
    with pytest.raises(ConfigError) as info:
        parse_config(data, ROOT, "oncall.yml")
    assert "pipelines[0].runbook" in str(info.value)
