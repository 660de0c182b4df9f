"""Process configuration read from environment variables.

Kept free of slack_bolt/slack_sdk imports so the CLI, tests and tooling can load and
check configuration without the Slack stack. Everything that can be wrong is reported
at once, with the variable's name and never its secret value, so a misconfigured
deployment fails fast with a message that is safe to paste into a ticket or a log.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

__all__ = [
    "LOG_LEVELS",
    "REDACTED",
    "RedactingFilter",
    "Settings",
    "SettingsError",
    "load_settings",
    "redact",
    "redact_feed_tokens",
    "redact_url_credentials",
]

#: Accepted LOG_LEVEL values (compared case-insensitively).
LOG_LEVELS: tuple[str, ...] = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

#: What a secret value is replaced with by :func:`redact` and :class:`RedactingFilter`.
REDACTED = "[redacted]"

DEFAULT_PORT = 3000
DEFAULT_DATABASE_URL = "sqlite:///oncall.db"
DEFAULT_CONFIG_PATH = "oncall.yml"
DEFAULT_LOG_LEVEL = "INFO"

_SEE_README = "see README, section Configuration"

# Token prefixes Slack uses, so a wrong-prefix message can say what was pasted
# (a prefix identifies the token type and is not secret; the rest of the value is).
_TOKEN_KINDS: dict[str, str] = {
    "xoxb-": "a bot token",
    "xapp-": "an app-level token",
    "xoxp-": "a user token",
    "xoxe-": "a refresh token",
}


class SettingsError(Exception):
    """Configuration is missing or invalid.

    ``str(error)`` lists every problem, one per line; ``problems`` holds them
    separately. No message ever contains a secret value.
    """

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Settings:
    """Validated configuration for one process.

    ``bot_token`` is ``""`` only when loaded with ``require_slack=False``.
    """

    bot_token: str
    signing_secret: str | None
    app_token: str | None
    port: int
    api_url: str | None
    database_url: str
    config_path: Path
    log_level: str
    # The address people's calendar apps reach the bot at (scheme, host, any path
    # prefix; no trailing slash): feed links are built from it. None: no links.
    public_url: str | None = None
    # A port of its own serving only the calendar feeds (Socket Mode has no HTTP server).
    calendar_port: int | None = None

    @property
    def socket_mode(self) -> bool:
        """Socket Mode is chosen by providing an app-level token; otherwise HTTP mode."""
        return bool(self.app_token)

    def secret_values(self) -> tuple[str, ...]:
        """Every secret this process holds, for :func:`redact` and :class:`RedactingFilter`.

        Includes the password of DATABASE_URL and the credentials of SLACK_API_URL,
        both as written and percent-decoded, since either form can end up in an error
        message (urllib's "nonnumeric port: 'pass@host'" has no scheme:// before it).
        """
        values = [self.bot_token, self.signing_secret, self.app_token]
        password = _url_password(self.database_url)
        if password:
            values += [password, unquote(password)]
        for credential in _url_credentials(self.api_url):
            values += [credential, unquote(credential)]
        return tuple(dict.fromkeys(v for v in values if v))

    def __repr__(self) -> str:
        # Hand-written (dataclass keeps it) so settings can be logged without leaking
        # tokens, the signing secret or the database password.
        def mask(value: str | None) -> str:
            return repr(REDACTED) if value else repr(value)

        return (
            f"Settings(bot_token={mask(self.bot_token)}, "
            f"signing_secret={mask(self.signing_secret)}, "
            f"app_token={mask(self.app_token)}, port={self.port!r}, "
            f"api_url={redact(self.api_url or '', self) or None!r}, "
            f"database_url={redact(self.database_url, self)!r}, "
            f"config_path={self.config_path!r}, log_level={self.log_level!r}, "
            f"public_url={self.public_url!r}, calendar_port={self.calendar_port!r})"
        )


def load_settings(env: Mapping[str, str] | None = None, *, require_slack: bool = True) -> Settings:
    """Read and validate settings from ``env`` (default ``os.environ``).

    ``require_slack=False`` is for commands that never talk to Slack (e.g. database
    maintenance): the bot token and signing secret may then be absent, though any
    token that is given must still be well-formed. Empty or blank values count as
    unset. Raises :class:`SettingsError` listing every problem found.
    """
    source: Mapping[str, str] = os.environ if env is None else env
    problems: list[str] = []

    def get(name: str) -> str | None:
        value = source.get(name)
        if value is None:
            return None
        value = value.strip()
        return value or None

    def problem(name: str, what: str) -> None:
        problems.append(f"{name} {what}: {_SEE_README}")

    # Slack credentials. The values are secrets: messages describe them, never echo them.
    bot_token = get("SLACK_BOT_TOKEN")
    if bot_token is None:
        if require_slack:
            problem("SLACK_BOT_TOKEN", "is not set")
    elif not bot_token.startswith("xoxb-"):
        problem("SLACK_BOT_TOKEN", _wrong_prefix(bot_token, "xoxb-", "a bot token"))

    app_token = get("SLACK_APP_TOKEN")
    if app_token is not None and not app_token.startswith("xapp-"):
        problem("SLACK_APP_TOKEN", _wrong_prefix(app_token, "xapp-", "an app-level token"))

    signing_secret = get("SLACK_SIGNING_SECRET")
    if signing_secret is None and app_token is None and require_slack:
        problem(
            "SLACK_SIGNING_SECRET",
            "is not set; it is required in HTTP mode (set SLACK_APP_TOKEN to use Socket Mode)",
        )

    # Server.
    port = DEFAULT_PORT
    raw_port = get("PORT")
    if raw_port is not None:
        try:
            port = int(raw_port)
        except ValueError:
            port = 0
        if not 1 <= port <= 65535:
            problem("PORT", f"must be a whole number from 1 to 65535, got {raw_port!r}")
            port = DEFAULT_PORT

    api_url = get("SLACK_API_URL")
    if api_url is not None:
        if not _is_url(api_url, schemes=("http", "https"), need_host=True):
            # Not echoed: a proxy URL could carry credentials.
            problem(
                "SLACK_API_URL", "must be an http:// or https:// URL such as https://slack.com/api/"
            )
            api_url = None
        elif _url_credentials(api_url):
            # urllib (under slack_sdk) takes user:password@ for part of the host name, so
            # such a URL never works; it would only end up in logs and tracebacks.
            problem(
                "SLACK_API_URL",
                "must not contain a user name or password (user:password@): the Slack "
                "client cannot send them; give the proxy's address without them",
            )
            api_url = None
        elif not api_url.endswith("/"):
            # slack_sdk joins method names onto base_url, which needs the trailing slash.
            api_url += "/"

    raw_level = get("LOG_LEVEL") or DEFAULT_LOG_LEVEL
    log_level = raw_level.upper()
    if log_level not in LOG_LEVELS:
        problem("LOG_LEVEL", f"must be one of {', '.join(LOG_LEVELS)}, got {raw_level!r}")
        log_level = DEFAULT_LOG_LEVEL

    # Storage. The URL may contain a password, so it is never echoed.
    database_url = get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if "://" not in database_url or not _is_url(database_url):
        problem("DATABASE_URL", "must be a database URL such as sqlite:///oncall.db")

    # Team.
    config_path = Path(get("ONCALL_CONFIG") or DEFAULT_CONFIG_PATH)

    # Calendar feeds.
    public_url = get("PUBLIC_URL")
    if public_url is not None:
        if not _is_url(public_url, schemes=("http", "https"), need_host=True):
            problem(
                "PUBLIC_URL",
                "must be an http:// or https:// URL such as https://oncall.example.com",
            )
            public_url = None
        elif _url_credentials(public_url) or urlsplit(public_url).query or "#" in public_url:
            # It is shown to people in every link: nothing secret, nothing after the path.
            problem("PUBLIC_URL", "must be a plain address: no user name or password, ? or #")
            public_url = None
        else:
            public_url = public_url.rstrip("/")
    calendar_port: int | None = None
    raw_calendar_port = get("CALENDAR_PORT")
    if raw_calendar_port is not None:
        calendar_port = int(raw_calendar_port) if raw_calendar_port.isdigit() else 0
        if not 1 <= calendar_port <= 65535:
            problem(
                "CALENDAR_PORT",
                f"must be a whole number from 1 to 65535, got {raw_calendar_port!r}",
            )
            calendar_port = None
        elif calendar_port == port and app_token is None:
            problem(
                "CALENDAR_PORT",
                "is the same as PORT: in HTTP mode that server serves the feeds already; "
                "leave CALENDAR_PORT unset or give another port",
            )
            calendar_port = None

    if problems:
        raise SettingsError(problems)
    return Settings(
        bot_token=bot_token or "",
        signing_secret=signing_secret,
        app_token=app_token,
        port=port,
        api_url=api_url,
        database_url=database_url,
        config_path=config_path,
        log_level=log_level,
        public_url=public_url,
        calendar_port=calendar_port,
    )


def redact(text: str, settings: Settings) -> str:
    """Replace every secret value held by ``settings`` that occurs in ``text``.

    For strings that may embed configuration, such as exception messages from the
    Slack client or the database driver, before they are shown or stored. The
    credentials of any URL in ``text`` are hidden too (:func:`redact_url_credentials`),
    and the token of any calendar feed link (:func:`redact_feed_tokens`).
    """
    return _redact_all(text, settings.secret_values())


# scheme://user:password@ or scheme://token@ : the userinfo of any URL.
_URL_USERINFO = re.compile(
    r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^\s/?#@:]*)(?::[^\s/?#@]*)?@"
)


def redact_url_credentials(text: str) -> str:
    """Hide the userinfo of every URL in ``text``: ``http://user:pass@host/`` becomes
    ``http://user:[redacted]@host/``, ``https://token@host/`` ``https://[redacted]@host/``.

    slack_sdk logs the full request URL (its retry handlers at INFO, each request at
    DEBUG), so credentials in SLACK_API_URL would otherwise reach the log.
    """

    def hide(m: re.Match[str]) -> str:
        if ":" in m.group(0)[len(m["scheme"]) :]:
            return f"{m['scheme']}{m['user']}:{REDACTED}@"
        return f"{m['scheme']}{REDACTED}@"

    return _URL_USERINFO.sub(hide, text)


# A calendar feed's path, as written in a URL, a JSON string or a form body: the token
# after it opens someone's feed, so it is a secret wherever it shows.
_FEED_TOKEN = re.compile(r"(?P<path>(?:/|\\/|%2F)calendar(?:/|\\/|%2F))[A-Za-z0-9_-]+", re.I)


def redact_feed_tokens(text: str) -> str:
    """Hide the token of every calendar feed link in ``text``:
    ``https://host/calendar/<token>.ics`` becomes ``https://host/calendar/[redacted].ics``.

    `/oncall calendar` answers with the links, and at LOG_LEVEL=DEBUG slack_sdk logs
    every request's body (the answer to a response_url among them).
    """
    return _FEED_TOKEN.sub(lambda m: f"{m['path']}{REDACTED}", text)


class RedactingFilter(logging.Filter):
    """Rewrites log records so the given secret values, the credentials of any URL
    (:func:`redact_url_credentials`) and calendar feed tokens (:func:`redact_feed_tokens`)
    never reach a handler's output.

    Attach it to handlers rather than loggers: a logger's filters do not see records
    propagated from child loggers (``slack_bolt``, ``slack_sdk``, ...), a handler's do.
    Only records that contain a secret are changed; the rendered message replaces
    ``msg`` and ``args`` is cleared, and tracebacks are redacted too.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets: tuple[str, ...] = tuple(dict.fromkeys(s for s in secrets if s))

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place; never drops it."""
        try:
            message = record.getMessage()
        except Exception:  # mismatched %-args: logging would later print msg and args raw
            message = f"{record.msg} {record.args!r}"
        redacted = self._redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        if record.exc_info and not record.exc_text:
            # Formatter.format reuses exc_text when it is set, so render it here.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._redact(record.stack_info)
        return True

    def _redact(self, text: str) -> str:
        return _redact_all(text, self._secrets)


def _redact_all(text: str, secrets: Iterable[str]) -> str:
    return _redact_values(redact_feed_tokens(redact_url_credentials(text)), secrets)


def _redact_values(text: str, secrets: Iterable[str]) -> str:
    """Replace each non-empty secret in ``text``, longest first so overlaps stay hidden."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def _wrong_prefix(value: str, expected: str, kind: str) -> str:
    """Describe a token with the wrong prefix without echoing any of it."""
    found = next((k for p, k in _TOKEN_KINDS.items() if value.startswith(p)), None)
    hint = f" (this looks like {found})" if found else ""
    return f"must be {kind} starting with {expected!r}{hint}"


def _is_url(value: str, *, schemes: tuple[str, ...] = (), need_host: bool = False) -> bool:
    """Whether ``value`` parses as a URL (optionally with one of ``schemes`` and a host)."""
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:  # e.g. a malformed IPv6 literal
        return False
    if not parts.scheme or (schemes and parts.scheme.lower() not in schemes):
        return False
    return bool(host) or not need_host


def _url_credentials(url: str | None) -> list[str]:
    """The userinfo of a URL (a token, or user:password) and its password, if any. The
    user name alone is left out: as a secret value it would hide every "user" in a log."""
    if not url:
        return []
    try:
        userinfo, at, _host = urlsplit(url).netloc.rpartition("@")
    except ValueError:
        return []
    if not at or not userinfo:
        return []
    _user, colon, password = userinfo.partition(":")
    return [userinfo, password] if colon and password else [userinfo]


def _url_password(url: str) -> str | None:
    """The password part of a URL such as postgresql://user:password@host/db, if any."""
    try:
        return urlsplit(url).password
    except ValueError:
        return None
