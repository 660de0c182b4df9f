"""Calendar feeds: personal and team subscribe links, and what the feeds show.

A link carries a random token (`secrets.token_urlsafe(32)`: 256 bits); only its SHA-256
is stored. Each `/oncall calendar` issues a new pair (the personal feed, the team's):
the old ones keep working, so a calendar already subscribed is not broken, until their
owner resets them, which revokes every link they hold. A feed is read by its token's
hash, and serves nothing once revoked or once its owner has left the team.

What a feed shows is `bot.core.shifts.shifts()` from `PAST_WEEKS` back to the end of
the stored plan: the resolver's answers, take-overs included, as stored at the moment
of the request (nothing is kept between requests, so a swap shows at once).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.core.calendars import team_holidays
from bot.core.errors import Refusal
from bot.core.model import Assignment
from bot.core.shifts import Shift, shifts
from bot.core.weeks import week
from bot.service.reads import Reads
from bot.storage.store import Transaction

FEED_PATH = "/calendar/"  # GET /calendar/<token>.ics
FEED_SUFFIX = ".ics"
PAST_WEEKS = 8  # how far back a feed reaches, so this month's past weeks stay visible
TOKEN_BYTES = 32
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{40,64}")  # token_urlsafe(32) is 43 characters
PERSONAL, TEAM = "member", "team"  # calendar_token.scope


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def feed_url(public_url: str, token: str) -> str:
    return f"{public_url}{FEED_PATH}{token}{FEED_SUFFIX}"


@dataclass(frozen=True)
class FeedSetup:
    """How this process serves feeds (from Settings, set by bot.slack.server)."""

    public_url: str | None = None  # PUBLIC_URL: where calendar apps reach the feeds
    served: bool = False  # an HTTP server answers GET /calendar/... in this process
    socket_mode: bool = False
    calendar_port: int | None = None  # CALENDAR_PORT, when the feeds have a port of their own


@dataclass(frozen=True)
class CalendarLinks:
    member: str
    personal: str  # the subscribe URLs (they hold the tokens: shown to their owner only)
    team: str
    revoked: int = 0  # links revoked to make these (a reset)


@dataclass(frozen=True)
class Feed:
    """What one feed shows: `member`'s time (None: the team's) over `shifts`."""

    key: str  # which feed this is ("team" or the member id), never the token
    member: str | None
    shifts: tuple[Shift, ...]
    holidays: dict[date, str] = field(default_factory=dict)


class CalendarFeeds(Reads):
    feed_setup: FeedSetup = FeedSetup()

    def calendar_unavailable(self) -> str | None:
        """Why no link can be given in this process (for people), or None."""
        setup = self.feed_setup
        if setup.socket_mode and setup.calendar_port is None:
            return (
                "This bot runs in Socket Mode, which has no public HTTP server, so nothing "
                "serves calendar feeds yet. An admin can set CALENDAR_PORT (a port of its own "
                "for the feeds) and PUBLIC_URL (the address where that port is reached from "
                "the internet), then restart the bot: see README, section Calendar feeds."
            )
        if not setup.public_url:
            return (
                "Calendar links are built from PUBLIC_URL, the address where this bot is "
                "reached (such as https://oncall.example.com), and it is not set. An admin "
                "can set it and restart the bot: see README, section Calendar feeds."
            )
        if not setup.served:
            return (
                "No server answers calendar requests in this process: see README, Calendar feeds."
            )
        return None

    def calendar_links(self, actor: str) -> CalendarLinks:
        """New links to `actor`'s feed and the team's (earlier ones keep working)."""
        base = self._linkable(actor)
        now = self.now()
        with self.store.write() as s:
            links = self._issue(s, actor, base, now)
            self.store.audit(s, now, actor, "calendar_links")
        return links

    def reset_calendar_links(self, actor: str) -> CalendarLinks:
        """Revoke every link `actor` holds, then issue new ones: one transaction."""
        base = self._linkable(actor)
        now = self.now()
        with self.store.write() as s:
            revoked = self.store.revoke_calendar_tokens(s, actor, now)
            links = self._issue(s, actor, base, now)
            self.store.audit(s, now, actor, "calendar_reset", revoked=revoked)
        return CalendarLinks(links.member, links.personal, links.team, revoked)

    def _linkable(self, actor: str) -> str:
        if not self.team.is_member(actor):
            raise Refusal("Calendar links are for members of the on-call team.")
        why = self.calendar_unavailable()
        if why is not None:
            raise Refusal(why)
        assert self.feed_setup.public_url
        return self.feed_setup.public_url

    def _issue(self, s: Transaction, actor: str, base: str, now: datetime) -> CalendarLinks:
        urls = []
        for scope in (PERSONAL, TEAM):
            token = secrets.token_urlsafe(TOKEN_BYTES)
            self.store.add_calendar_token(s, actor, scope, token_hash(token), now)
            urls.append(feed_url(base, token))
        return CalendarLinks(actor, urls[0], urls[1])

    def calendar_feed(self, token: str) -> Feed | None:
        """The feed a token opens, as stored now; None for any token that opens none
        (malformed, unknown, revoked, or its owner left the team). A read: writes nothing."""
        if not _TOKEN_SHAPE.fullmatch(token):
            return None
        digest = token_hash(token)
        first = max(0, self.current_index() - PAST_WEEKS)
        with self.store.read() as s:
            found = self.store.calendar_token(s, digest)
            if found is None or not hmac.compare_digest(found.token_hash, digest):
                return None
            if not self.team.is_member(found.member):
                return None
            member = found.member if found.scope == PERSONAL else None
            stored_last = self.store.last_planned(s)
            # The last stored week's backup is the week after's engineer: stop before it.
            last = (stored_last or 0) - 1
            if stored_last is None or last < first:
                return Feed(member or TEAM, member, ())
            return self._feed(s, member, self.store.plan(s, first, last + 1), first, last)

    def schedule_feed(self, member: str | None, count: int) -> Feed:
        """What a feed shows of the next `count` weeks (the current one first), planned
        ahead in memory past the stored plan: the calendar `oncall ical` writes."""
        first = max(0, self.current_index())
        last = first + max(1, count) - 1
        self._readable(last + 1)
        with self.store.read() as s:
            return self._feed(s, member, self.projection(s, first, last + 1), first, last)

    def _feed(
        self,
        s: Transaction,
        member: str | None,
        plan: Mapping[int, Assignment],
        first: int,
        last: int,
    ) -> Feed:
        """Weeks `first`..`last` as a feed shows them; `plan` holds them and the week after."""
        start, end = week(self.team, first), week(self.team, last)
        time_off = self.store.time_off(s, start.first_day, end.last_day)
        overrides = self.store.overrides(s, start.start, end.end)
        found = shifts(self.team, plan, time_off, overrides, start.start, end.end)
        holidays = team_holidays(self.team, start.first_day, end.last_day)
        return Feed(member or TEAM, member, tuple(found), dict(holidays))
