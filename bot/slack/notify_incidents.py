"""The notifier's section for incidents: part of `Notifier` (bot/slack/notifier.py).

- opened (`/oncall incident`): a channel `inc-YYYYMMDD-<pipeline>` (`-2`, `-3`... when the
  name is taken), its topic, the on-call engineer, the owner(s) and the opener invited,
  the runbook posted with its buttons and pinned, one line in the team's channel; the
  opener is told the channel and everything Slack refused. A refused channel marks the
  incident failed and says why: nothing else is posted.
- called in (a button): the person is DMed the pipeline, the summary and the channel,
  invited, and the channel gets a note of who called whom and when.
- resolved: the channel gets the summary, the team's channel one line.
These run on the follow-up threads (the command's handler, or `later` for a click).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from logging import Logger
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core import incidents as rules
from bot.core.incidents import Incident, Role
from bot.core.model import Pipeline, Team
from bot.core.weeks import local_date
from bot.runbooks import Runbook, load_runbook_of
from bot.service import OnCallService
from bot.service.incidents import CallIn, OpenedIncident
from bot.slack.blocks import incidents as blocks
from bot.slack.blocks import status
from bot.slack.blocks.kit import section
from bot.slack.dm import dm
from bot.slack.home import HomePublisher
from bot.slack.mrkdwn import Mrkdwn, channel_link, code, join, md, mention_id
from bot.slack.safely import safely

Reply = Callable[[str], Any]


def _error(e: SlackApiError) -> tuple[str, str | None]:
    """Slack's error code, and the scope it needed when that was the problem."""
    response = e.response
    needed = response.get("needed") if hasattr(response, "get") else None
    error = response.get("error") if hasattr(response, "get") else None
    return str(error or "unknown_error"), str(needed) if needed else None


class IncidentNotices:
    """Mixed into Notifier, whose attributes these are."""

    client: WebClient
    service: OnCallService
    homes: HomePublisher | None
    logger: Logger
    later: Callable[..., Any]
    # Notifier's own, used here.
    team: Team

    # --- helpers ----------------------------------------------------------------------

    def _slack_user(self, person: str) -> str:
        """The Slack user id of an incident's person (a member id, or already one)."""
        team = self.team
        return team.member(person).slack_id if team.is_member(person) else person

    def _refresh_incident_homes(self, incident: Incident) -> None:
        """The Homes of the opener and everyone called in, members or not."""
        if self.homes is None:
            return
        people = {incident.opened_by, *(c.member for c in incident.calls)}
        self.homes.refresh(*(self._slack_user(p) for p in people), changed=True)

    def _step(self, what: str, call: Callable[[], Any], problems: list[Mrkdwn]) -> Any:
        """One Slack call whose refusal is told, not raised: the rest still goes out."""
        try:
            return call()
        except SlackApiError as e:
            error, needed = _error(e)
            self.logger.warning("could not %s: %s", what, error)
            problems.append(blocks.slack_refusal(what.capitalize(), error, needed))
        except Exception:
            self.logger.exception("could not %s", what)
            problems.append(md("{}: it failed on our side.", what.capitalize()))
        return None

    # --- opening ----------------------------------------------------------------------

    def incident_opened(
        self,
        opened: OpenedIncident,
        pipeline: Pipeline,
        book: Runbook | None,
        problem: Mrkdwn | None,
        reply: Reply,
    ) -> None:
        """Make the incident's channel and fill it; tell the opener (`reply`) how it went."""
        team, incident = self.team, opened.incident
        made = self._create_channel(incident, pipeline, reply)
        if made is None:
            return
        channel, name = made
        incident = self.service.incident_channel_made(incident.id, channel, name)
        problems: list[Mrkdwn] = []
        topic = blocks.topic(team, pipeline, incident.summary, incident.opened_by)
        self._step(
            "set the channel's topic",
            lambda: self.client.conversations_setTopic(channel=channel, topic=topic),
            problems,
        )
        joined = self._invite_all(channel, opened.invitees, problems)
        incident = self.service.incident_joined(incident.id, joined, incident.opened_by)
        self._post_runbook(incident, pipeline, book, opened, problem, problems)
        line = blocks.team_line(team, incident, pipeline)
        self._step(
            "post the line in the team's channel",
            lambda: self.client.chat_postMessage(channel=team.channel, text=line),
            problems,
        )
        safely(
            self.logger,
            "tell the opener",
            lambda: reply(blocks.opened_reply(team, incident, joined, problems)),
        )
        self._refresh_incident_homes(incident)

    def _create_channel(
        self, incident: Incident, pipeline: Pipeline, reply: Reply
    ) -> tuple[str, str] | None:
        """conversations.create with `-2`, `-3`... while the name is taken; on any other
        refusal the incident is recorded failed and the opener told why."""
        day = local_date(self.team, incident.opened_at)
        why: Mrkdwn | None = None
        error = "name_taken"
        for attempt in range(1, rules.MAX_NAME_ATTEMPTS + 1):
            name = rules.channel_name(day, pipeline.id, attempt)
            try:
                created = self.client.conversations_create(name=name)
                return str(created["channel"]["id"]), str(created["channel"]["name"])
            except SlackApiError as e:
                error, needed = _error(e)
                if error == "name_taken":
                    continue
                why = blocks.slack_refusal("Slack refused to create the channel", error, needed)
                break
            except Exception:
                self.logger.exception("could not create the incident channel")
                error = "exception"
                why = md("Creating the channel failed on our side.")
                break
        if why is None:
            why = md(
                "Slack refused to create the channel: the names up to {} are all taken.",
                rules.channel_name(day, pipeline.id, rules.MAX_NAME_ATTEMPTS),
            )
        self.logger.warning("incident #%s: no channel (%s)", incident.id, error)
        self.service.incident_failed(incident.id, error)
        safely(self.logger, "tell the opener", lambda: reply(blocks.failed_reply(pipeline, why)))
        return None

    def _invite_all(
        self, channel: str, invitees: Sequence[tuple[str, Role]], problems: list[Mrkdwn]
    ) -> list[tuple[str, Role]]:
        """Invite each person on their own (Slack invites nobody of a list when one
        fails), so each refusal names its person; who got in (or was in) is returned."""
        joined: list[tuple[str, Role]] = []
        for who, role in invitees:
            if self._invite(channel, who, problems):
                joined.append((who, role))
        return joined

    def _invite(self, channel: str, who: str, problems: list[Mrkdwn]) -> bool:
        slack_id = self._slack_user(who)
        try:
            self.client.conversations_invite(channel=channel, users=slack_id)
            return True
        except SlackApiError as e:
            error, needed = _error(e)
            if error == "already_in_channel":
                return True
            self.logger.warning("could not invite %s: %s", slack_id, error)
            what = md("Could not invite {}", mention_id(slack_id))
            problems.append(blocks.slack_refusal(what, error, needed))
        except Exception:
            self.logger.exception("could not invite %s", slack_id)
            problems.append(md("Could not invite {}: it failed on our side.", mention_id(slack_id)))
        return False

    def _post_runbook(
        self,
        incident: Incident,
        pipeline: Pipeline,
        book: Runbook | None,
        opened: OpenedIncident,
        problem: Mrkdwn | None,
        problems: list[Mrkdwn],
    ) -> None:
        """The opening line, then the runbook with its buttons, pinned."""
        team, channel = self.team, incident.channel_id or ""
        intro = blocks.intro(team, incident, pipeline)
        self._step(
            "post the opening line",
            lambda: self.client.chat_postMessage(channel=channel, text=intro),
            problems,
        )
        text, message, extra = blocks.runbook_post(
            team, pipeline, book, opened.answer, incident, problem=problem
        )
        posted = self._step(
            "post the runbook",
            lambda: self.client.chat_postMessage(channel=channel, text=text, blocks=message),
            problems,
        )
        if extra is not None:
            self._step(
                "post the incident's buttons",
                lambda: self.client.chat_postMessage(
                    channel=channel, text=blocks.actions_text(pipeline), blocks=extra
                ),
                problems,
            )
        if posted is None:
            return
        ts = str(posted["ts"])
        self.service.incident_posted(incident.id, ts)
        self._step(
            "pin the runbook",
            lambda: self.client.pins_add(channel=channel, timestamp=ts),
            problems,
        )

    # --- calling in -------------------------------------------------------------------

    def called_in(self, called: CallIn, pipeline: Pipeline, tell: Reply) -> None:
        """DM the person called in, invite them, note it in the channel; the clicker is
        told (`tell`) only what did not work."""
        team, incident, call = self.team, called.incident, called.call
        channel = incident.channel_id or ""
        slack_id = self._slack_user(call.member)
        problems: list[Mrkdwn] = []
        text = blocks.call_dm(team, pipeline, incident, call)
        self._step("DM the person called in", lambda: dm(self.client, slack_id, text), problems)
        # A channel the bot made is one it may invite to; elsewhere (a runbook post in
        # another channel) the DM's link is the way in.
        invited = bool(incident.channel_name) and self._invite(channel, call.member, problems)
        note = blocks.call_note(team, call, invited)
        if called.opened:  # the first call from a runbook post: the incident is held here
            note += md(" This is now an open incident here; {} closes it.", code("/oncall resolve"))
        self._step(
            "note the call in the channel",
            lambda: self.client.chat_postMessage(channel=channel, text=note),
            problems,
        )
        if problems:
            tell(md(":warning: {}", join("\n", problems)))
        self._refresh_incident_homes(incident)

    # --- resolving --------------------------------------------------------------------

    def incident_resolved(self, incident: Incident, pipeline: Pipeline, tell: Reply) -> None:
        """The summary in the incident's channel and a line in the team's channel."""
        team, problems = self.team, []
        channel = incident.channel_id or ""
        text = blocks.resolved_text(team, incident, pipeline)
        summary = blocks.resolved_blocks(team, incident, pipeline)
        self._step(
            "post the summary in the incident's channel",
            lambda: self.client.chat_postMessage(channel=channel, text=text, blocks=summary),
            problems,
        )
        if incident.post_ts:
            # The pinned runbook keeps the runbook and loses its buttons.
            book, problem = load_runbook_of(pipeline)
            note = status.runbook_problem(pipeline) if problem else None
            post_text, post, _ = blocks.runbook_post(
                team, pipeline, book, self.service.who(), incident, problem=note
            )
            update = {"channel": channel, "ts": incident.post_ts, "text": post_text}
            self._step(
                "take the buttons off the runbook post",
                lambda: self.client.chat_update(**update, blocks=post),
                problems,
            )
        if channel != team.channel:
            line = md(":white_check_mark: {} · {}", text, channel_link(channel))
            self._step(
                "post the line in the team's channel",
                lambda: self.client.chat_postMessage(
                    channel=team.channel, text=line, blocks=[section(line)]
                ),
                problems,
            )
        if problems:
            tell(md(":warning: {}", join("\n", problems)))
        self._refresh_incident_homes(incident)
