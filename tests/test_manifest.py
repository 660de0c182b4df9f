"""Checks manifest.yml against Slack's published manifest JSON Schema and our own needs.

The schema catches shape errors before Slack's app settings page does; the extra
assertions pin down what the code relies on (command, Home tab, events, scopes), so a
scope added "just in case" or a dropped event fails here rather than in production.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from jsonschema.protocols import Validator

REPO_ROOT = Path(__file__).resolve().parents[1]
MANIFEST_PATH = REPO_ROOT / "manifest.yml"
# Slack's schema (MIT licence) as shared beside the repository; a copy in tests/data
# keeps the check running on a clone that has no shared/ folder beside it.
SCHEMA_DIR = REPO_ROOT.parent / "shared/slack/manifest-schema"
if not SCHEMA_DIR.is_dir():
    SCHEMA_DIR = REPO_ROOT / "tests/data/manifest-schema"
SCHEMA_PATH = SCHEMA_DIR / "manifest.schema.1.0.0.json"

REQUEST_URL = "https://oncall.example.com/slack/events"
EXPECTED_BOT_SCOPES = {
    "commands",
    "chat:write",
    "chat:write.public",
    "im:write",
    "usergroups:write",
    "channels:manage",  # /oncall incident: conversations.create, setTopic, invite
    "pins:write",  # /oncall incident: pins.add of the runbook post
}

Manifest = dict[str, Any]


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    with MANIFEST_PATH.open(encoding="utf-8") as f:
        data = yaml.safe_load(f)
    assert isinstance(data, dict), "manifest.yml must be a YAML mapping"
    return data


@pytest.fixture(scope="module")
def validator() -> Validator:
    if not SCHEMA_DIR.is_dir():
        pytest.skip(f"Slack manifest schema folder not found at {SCHEMA_DIR}")
    if not SCHEMA_PATH.is_file():
        pytest.skip(f"Slack manifest schema v1 not found at {SCHEMA_PATH}")
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def schema_errors(validator: Validator, instance: Manifest) -> list[str]:
    """Readable schema errors, each with the path of the offending field."""
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    ]


def oncall_command(manifest: Manifest) -> dict[str, Any]:
    commands = manifest["features"]["slash_commands"]
    matches = [c for c in commands if c.get("command") == "/oncall"]
    assert len(matches) == 1, f"expected exactly one /oncall command, got {commands}"
    return matches[0]


def test_validates_against_slack_schema(manifest: Manifest, validator: Validator) -> None:
    errors = schema_errors(validator, manifest)
    assert not errors, "manifest.yml does not match Slack's schema:\n" + "\n".join(errors)


def test_schema_validator_matches_declared_draft(validator: Validator) -> None:
    # The schema declares draft-07; validator_for must pick that, not the latest draft.
    declared = validator.schema.get("$schema")
    if declared is None:
        pytest.skip("schema declares no $schema")
    assert validator.META_SCHEMA.get("$schema", "").rstrip("#") == declared.rstrip("#")


def test_metadata_is_v1(manifest: Manifest) -> None:
    assert manifest["_metadata"] == {"major_version": 1, "minor_version": 1}


def test_background_color_is_hex(manifest: Manifest) -> None:
    # The schema spells this check "regex", which JSON Schema ignores, so check it here.
    color = manifest["display_information"]["background_color"]
    assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", color), color


def test_oncall_command_escapes_mentions(manifest: Manifest) -> None:
    command = oncall_command(manifest)
    assert command["should_escape"] is True
    assert command["url"] == REQUEST_URL
    assert command["description"] and command["usage_hint"]


def test_home_tab_and_read_only_messages_tab(manifest: Manifest) -> None:
    app_home = manifest["features"]["app_home"]
    assert app_home["home_tab_enabled"] is True
    assert app_home["messages_tab_enabled"] is True
    assert app_home["messages_tab_read_only_enabled"] is True
    assert manifest["features"]["bot_user"]["display_name"] == "oncall"


def test_app_home_opened_is_subscribed(manifest: Manifest) -> None:
    events = manifest["settings"]["event_subscriptions"]
    assert "app_home_opened" in events["bot_events"]
    assert events["request_url"] == REQUEST_URL


def test_bot_scopes_are_exactly_what_the_code_needs(manifest: Manifest) -> None:
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert len(scopes) == len(set(scopes)), f"duplicate scopes: {scopes}"
    assert set(scopes) == EXPECTED_BOT_SCOPES
    assert "user" not in manifest["oauth_config"]["scopes"], "the app needs no user scopes"


def test_interactivity_is_on(manifest: Manifest) -> None:
    interactivity = manifest["settings"]["interactivity"]
    assert interactivity["is_enabled"] is True
    assert interactivity["request_url"] == REQUEST_URL


def test_http_mode_settings(manifest: Manifest) -> None:
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is False
    assert settings["org_deploy_enabled"] is False
    assert settings["token_rotation_enabled"] is False


def _drop_name(m: Manifest) -> None:
    del m["display_information"]["name"]


def _overlong_scope(m: Manifest) -> None:
    m["oauth_config"]["scopes"]["bot"].append("chat:" + "write" * 10)  # > 50 characters


def _scope_not_a_string(m: Manifest) -> None:
    m["oauth_config"]["scopes"]["bot"].append(42)


def _escape_as_string(m: Manifest) -> None:
    # What `should_escape: yes` becomes under a YAML 1.2 parser: a string, not a boolean.
    oncall_command(m)["should_escape"] = "yes"


def _command_without_slash(m: Manifest) -> None:
    oncall_command(m)["command"] = "oncall"


def _unknown_top_level_key(m: Manifest) -> None:
    m["oauth"] = {"scopes": ["commands"]}


def _interactivity_without_flag(m: Manifest) -> None:
    del m["settings"]["interactivity"]["is_enabled"]


def _duplicate_event(m: Manifest) -> None:
    m["settings"]["event_subscriptions"]["bot_events"].append("app_home_opened")


@pytest.mark.parametrize(
    "mutate",
    [
        _drop_name,
        _overlong_scope,
        _scope_not_a_string,
        _escape_as_string,
        _command_without_slash,
        _unknown_top_level_key,
        _interactivity_without_flag,
        _duplicate_event,
    ],
)
def test_schema_rejects_broken_manifests(
    manifest: Manifest, validator: Validator, mutate: Callable[[Manifest], None]
) -> None:
    """The validation above can fail: each mutation of a copy must produce errors."""
    broken = copy.deepcopy(manifest)
    mutate(broken)
    assert schema_errors(validator, broken), f"{mutate.__name__} was not detected"
    assert not schema_errors(validator, manifest), "the original must be left untouched"
