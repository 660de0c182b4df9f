"""Tests for bot.settings: defaults, every error message, and keeping secrets out of output.

A misconfigured deploy should fail with one message naming every bad variable, and
neither those messages nor logs may ever contain a token, the signing secret or a
database password.
"""

from __future__ import annotations

import ast
import dataclasses
import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import bot.settings
from bot.settings import (
    RedactingFilter,
    Settings,
    SettingsError,
    load_settings,
    redact,
    redact_url_credentials,
)

BOT_TOKEN = "xoxb-1111-2222-SECRETbotTOKEN"
SIGNING_SECRET = "0123abcdSECRETsigning"
APP_TOKEN = "xapp-1-A111-2222-SECRETappTOKEN"
DB_PASSWORD = "s3cr3t-DB-pw"
HINT = "see README, section Configuration"


def http_env(**overrides: str) -> dict[str, str]:
    """Minimal valid HTTP-mode environment, with overrides."""
    return {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, **overrides}


def problems_for(env: dict[str, str], **kwargs: bool) -> tuple[str, ...]:
    with pytest.raises(SettingsError) as excinfo:
        load_settings(env, **kwargs)
    err = excinfo.value
    assert str(err) == "\n".join(err.problems)
    assert all(p.endswith(f": {HINT}") for p in err.problems), err.problems
    return err.problems


def only_problem(env: dict[str, str], **kwargs: bool) -> str:
    problems = problems_for(env, **kwargs)
    assert len(problems) == 1, problems
    return problems[0]


# --- Loading and defaults --------------------------------------------------------------


def test_defaults_in_http_mode() -> None:
    s = load_settings(http_env())
    assert s == Settings(
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        app_token=None,
        port=3000,
        api_url=None,
        database_url="sqlite:///oncall.db",
        config_path=Path("oncall.yml"),
        log_level="INFO",
    )
    assert s.socket_mode is False


def test_all_values_read() -> None:
    s = load_settings(
        http_env(
            SLACK_APP_TOKEN=APP_TOKEN,
            PORT="8080",
            SLACK_API_URL="http://localhost:8888/api",
            DATABASE_URL="postgresql://oncall@db/oncall",
            ONCALL_CONFIG="/etc/oncall/team.yml",
            LOG_LEVEL="debug",
        )
    )
    assert s.socket_mode is True
    assert s.app_token == APP_TOKEN
    assert s.port == 8080
    assert s.api_url == "http://localhost:8888/api/"
    assert s.database_url == "postgresql://oncall@db/oncall"
    assert s.config_path == Path("/etc/oncall/team.yml")
    assert s.log_level == "DEBUG"


def test_api_url_keeps_existing_trailing_slash() -> None:
    assert load_settings(http_env(SLACK_API_URL="https://slack.com/api/")).api_url == (
        "https://slack.com/api/"
    )


def test_blank_values_count_as_unset() -> None:
    s = load_settings(http_env(PORT="", LOG_LEVEL="  ", SLACK_APP_TOKEN=""))
    assert (s.port, s.log_level, s.app_token) == (3000, "INFO", None)


def test_reads_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SLACK_APP_TOKEN", "PORT", "SLACK_API_URL", "DATABASE_URL", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("PORT", "4000")
    assert load_settings().port == 4000


def test_settings_are_frozen() -> None:
    s = load_settings(http_env())
    with pytest.raises(AttributeError):
        s.port = 1  # type: ignore[misc]


def test_module_does_not_import_slack() -> None:
    # bot.settings must stay usable without the Slack stack (CLI, tooling, tests).
    tree = ast.parse(Path(bot.settings.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name for n in ast.walk(tree) if isinstance(n, ast.Import) for alias in n.names
    }
    imported |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not {m for m in imported if m.split(".")[0] in ("slack_bolt", "slack_sdk")}


# --- Slack credentials -------------------------------------------------------------------


def test_missing_bot_token() -> None:
    env = http_env()
    del env["SLACK_BOT_TOKEN"]
    assert only_problem(env) == f"SLACK_BOT_TOKEN is not set: {HINT}"


def test_bot_token_with_wrong_prefix() -> None:
    message = only_problem(http_env(SLACK_BOT_TOKEN="xoxp-9999-SECRETuserTOKEN"))
    assert message.startswith("SLACK_BOT_TOKEN must be a bot token starting with 'xoxb-'")
    assert "looks like a user token" in message


def test_bot_token_without_known_prefix() -> None:
    message = only_problem(http_env(SLACK_BOT_TOKEN="not-a-token"))
    assert message == f"SLACK_BOT_TOKEN must be a bot token starting with 'xoxb-': {HINT}"


def test_app_token_with_wrong_prefix() -> None:
    # The classic mix-up: both tokens pasted the wrong way round.
    problems = problems_for(http_env(SLACK_BOT_TOKEN=APP_TOKEN, SLACK_APP_TOKEN=BOT_TOKEN))
    assert [p.split()[0] for p in problems] == ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"]
    assert "looks like an app-level token" in problems[0]
    assert "starting with 'xapp-'" in problems[1] and "looks like a bot token" in problems[1]


def test_http_mode_requires_signing_secret() -> None:
    message = only_problem({"SLACK_BOT_TOKEN": BOT_TOKEN})
    assert message.startswith("SLACK_SIGNING_SECRET is not set")
    assert "HTTP mode" in message and "SLACK_APP_TOKEN" in message


def test_socket_mode_needs_no_signing_secret() -> None:
    s = load_settings({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN})
    assert s.socket_mode is True
    assert s.signing_secret is None


def test_require_slack_false_allows_missing_credentials() -> None:
    s = load_settings({}, require_slack=False)
    assert s.bot_token == ""
    assert s.signing_secret is None


def test_require_slack_false_still_checks_given_tokens() -> None:
    message = only_problem({"SLACK_BOT_TOKEN": "xapp-oops"}, require_slack=False)
    assert message.startswith("SLACK_BOT_TOKEN must be a bot token")


# --- Server, storage, logging ------------------------------------------------------------


@pytest.mark.parametrize("port", ["abc", "0", "65536", "-1", "80.5"])
def test_bad_port(port: str) -> None:
    assert only_problem(http_env(PORT=port)) == (
        f"PORT must be a whole number from 1 to 65535, got {port!r}: {HINT}"
    )


@pytest.mark.parametrize("port", ["1", "65535", " 3001 "])
def test_port_bounds_accepted(port: str) -> None:
    assert load_settings(http_env(PORT=port)).port == int(port)


@pytest.mark.parametrize(
    "url", ["slack.com/api", "ftp://slack.com/api/", "https://", "file:///tmp/x", "http://[::1"]
)
def test_bad_api_url(url: str) -> None:
    assert only_problem(http_env(SLACK_API_URL=url)) == (
        f"SLACK_API_URL must be an http:// or https:// URL such as https://slack.com/api/: {HINT}"
    )


def test_bad_log_level() -> None:
    assert only_problem(http_env(LOG_LEVEL="verbose")) == (
        f"LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'verbose': {HINT}"
    )


def test_bad_database_url() -> None:
    message = only_problem(http_env(DATABASE_URL="oncall.db"))
    assert message.startswith("DATABASE_URL must be a database URL")


def test_all_problems_reported_together() -> None:
    env = {
        "SLACK_APP_TOKEN": "xoxb-wrong",
        "PORT": "http",
        "SLACK_API_URL": "nope",
        "LOG_LEVEL": "loud",
        "DATABASE_URL": "nope",
    }
    problems = problems_for(env)
    assert [p.split()[0] for p in problems] == [
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "PORT",
        "SLACK_API_URL",
        "LOG_LEVEL",
        "DATABASE_URL",
    ]
    # Socket Mode was requested (even with a bad token), so no signing-secret complaint.
    assert not any("SLACK_SIGNING_SECRET" in p for p in problems)


# --- Secrets stay secret -----------------------------------------------------------------


def test_error_messages_never_contain_secrets() -> None:
    bad_bot = "xoxp-SECRET-user-token-value"
    bad_app = "xoxb-SECRET-bot-token-value"
    env = {
        "SLACK_BOT_TOKEN": bad_bot,
        "SLACK_APP_TOKEN": bad_app,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": f"ftp://user:{DB_PASSWORD}@proxy/",
        "DATABASE_URL": f"postgresql:oncall:{DB_PASSWORD}@db/oncall",
        "PORT": "0",
    }
    with pytest.raises(SettingsError) as excinfo:
        load_settings(env)
    err = excinfo.value
    assert len(err.problems) == 5
    rendered = "\n".join([str(err), repr(err), *err.problems])
    for secret in (bad_bot, bad_app, SIGNING_SECRET, DB_PASSWORD, "SECRET"):
        assert secret not in rendered


def test_repr_hides_secrets() -> None:
    s = load_settings(
        http_env(SLACK_APP_TOKEN=APP_TOKEN, DATABASE_URL=f"postgresql://oncall:{DB_PASSWORD}@db/x")
    )
    text = repr(s) + str(s)
    for secret in (BOT_TOKEN, SIGNING_SECRET, APP_TOKEN, DB_PASSWORD):
        assert secret not in text
    assert "postgresql://oncall:[redacted]@db/x" in text
    assert "port=3000" in text


def test_secret_values() -> None:
    s = load_settings(
        http_env(SLACK_APP_TOKEN=APP_TOKEN, DATABASE_URL="postgresql://oncall:p%40ss@db/x")
    )
    assert s.secret_values() == (BOT_TOKEN, SIGNING_SECRET, APP_TOKEN, "p%40ss", "p@ss")
    assert load_settings({}, require_slack=False).secret_values() == ()


def test_redact_replaces_every_secret() -> None:
    s = load_settings(http_env(DATABASE_URL=f"mysql://oncall:{DB_PASSWORD}@db/oncall"))
    text = (
        f"auth failed for {BOT_TOKEN} (secret {SIGNING_SECRET}); "
        f"db error: could not connect with password {DB_PASSWORD}; again {BOT_TOKEN}"
    )
    assert redact(text, s) == (
        "auth failed for [redacted] (secret [redacted]); "
        "db error: could not connect with password [redacted]; again [redacted]"
    )
    assert redact("nothing to hide", s) == "nothing to hide"


def test_redact_handles_overlapping_secrets() -> None:
    # A secret containing another must not leave its remainder behind.
    f = RedactingFilter(["abc", "abcdef"])
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "x abcdef y abc", None, None)
    f.filter(record)
    assert record.getMessage() == "x [redacted] y [redacted]"


# --- credentials in URLs (issue 12, item 15) -------------------------------------------------

API_PASSWORD = "pr0xy-SECRET"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"POST http://oncall:{API_PASSWORD}@proxy:8080/api/chat.postMessage - refused",
            "POST http://oncall:[redacted]@proxy:8080/api/chat.postMessage - refused",
        ),
        ("https://xoxb-token@slack.example/api/", "https://[redacted]@slack.example/api/"),
        ("postgresql+psycopg://u:p%40ss@db/x", "postgresql+psycopg://u:[redacted]@db/x"),
        ("a http://u:[redacted]@h/ b", "a http://u:[redacted]@h/ b"),  # stays as it is
        ("mail me at ops@example.com, see https://slack.com/api/", None),  # nothing to hide
    ],
)
def test_redact_url_credentials(text: str, expected: str | None) -> None:
    assert redact_url_credentials(text) == (text if expected is None else expected)


@pytest.mark.parametrize(
    "url", [f"http://oncall:{API_PASSWORD}@proxy/api/", f"https://{API_PASSWORD}@proxy/api/"]
)
def test_slack_api_url_with_credentials_is_refused_without_echoing_them(url: str) -> None:
    # urllib takes them for part of the host name: such a URL never works.
    message = only_problem(http_env(SLACK_API_URL=url))
    assert message.startswith("SLACK_API_URL must not contain a user name or password")
    assert API_PASSWORD not in message and "oncall" not in message


def test_slack_api_url_credentials_are_secrets_and_hidden_in_repr() -> None:
    # Settings made in code skip the check above; they still never show the password.
    url = f"http://oncall:{API_PASSWORD}@proxy:8080/api/"
    s = dataclasses.replace(load_settings(http_env()), api_url=url)
    assert API_PASSWORD in s.secret_values()
    assert "oncall" not in s.secret_values()  # a user name alone would hide every "oncall"
    assert API_PASSWORD not in repr(s)
    assert "api_url='http://oncall:[redacted]@proxy:8080/api/'" in repr(s)
    # Even where no scheme:// precedes it (urllib: "nonnumeric port: 'pw@proxy:8080'").
    assert redact(f"nonnumeric port: '{API_PASSWORD}@proxy:8080'", s) == (
        "nonnumeric port: '[redacted]@proxy:8080'"
    )


def test_filter_hides_url_credentials_without_being_given_secrets() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter([]))
    logger = logging.getLogger("tests.settings.urls")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("retrying %s %s", "POST", f"http://oncall:{API_PASSWORD}@proxy/api/x")
        try:
            raise OSError(f"cannot reach http://oncall:{API_PASSWORD}@proxy/api/x")
        except OSError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "retrying POST http://oncall:[redacted]@proxy/api/x" in output
    assert API_PASSWORD not in output


# --- RedactingFilter ---------------------------------------------------------------------


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A private logger writing through a redacting handler into a buffer."""
    logger = logging.getLogger("tests.settings.redacting")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter([BOT_TOKEN, SIGNING_SECRET, ""]))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)


def test_filter_redacts_msg_and_args(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    logger.info("token %s and secret %r", BOT_TOKEN, SIGNING_SECRET)
    logger.info(f"inline {BOT_TOKEN}")
    logger.info("plain %d", 5)
    assert stream.getvalue().splitlines() == [
        "token [redacted] and secret '[redacted]'",
        "inline [redacted]",
        "plain 5",
    ]


def test_filter_redacts_tracebacks(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    try:
        raise RuntimeError(f"invalid_auth for {BOT_TOKEN}")
    except RuntimeError:
        logger.exception("Slack call failed")
    output = stream.getvalue()
    assert "RuntimeError: invalid_auth for [redacted]" in output
    assert BOT_TOKEN not in output


def test_filter_covers_child_loggers_via_handler(caplog: pytest.LogCaptureFixture) -> None:
    # Records from libraries such as slack_sdk propagate to handlers, not logger filters.
    redacting = RedactingFilter([SIGNING_SECRET])
    caplog.handler.addFilter(redacting)
    try:
        with caplog.at_level(logging.DEBUG):
            logging.getLogger("slack_sdk.fake").debug("signing with %s", SIGNING_SECRET)
    finally:
        caplog.handler.removeFilter(redacting)
    assert caplog.messages == ["signing with [redacted]"]
    assert SIGNING_SECRET not in caplog.text


def test_filter_survives_bad_format_args(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    logger.info("two %s %s", BOT_TOKEN)  # one arg short: logging would print it raw
    assert BOT_TOKEN not in stream.getvalue()


def test_filter_leaves_clean_records_untouched() -> None:
    f = RedactingFilter([BOT_TOKEN])
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "user %s", ("U1",), None)
    assert f.filter(record) is True
    assert (record.msg, record.args) == ("user %s", ("U1",))


# --- .env.example ------------------------------------------------------------------------


def test_env_example_documents_every_variable_and_loads() -> None:
    """.env.example must list every variable (optional ones commented) and be loadable."""
    path = Path(__file__).resolve().parents[1] / ".env.example"
    active: dict[str, str] = {}
    mentioned: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"(#\s*)?([A-Z][A-Z0-9_]*)=(.*)", line.strip())
        if match:
            mentioned.add(match[2])
            if not match[1]:
                active[match[2]] = match[3]
    assert mentioned == {
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_API_URL",
        "PORT",
        "LOG_LEVEL",
        "DATABASE_URL",
        "ONCALL_CONFIG",
        "PUBLIC_URL",
        "CALENDAR_PORT",
    }
    # An app token would silently switch to Socket Mode, so it must stay commented out.
    assert "SLACK_APP_TOKEN" not in active
    assert load_settings(active).socket_mode is False
