"""Incidents: open one for a pipeline, call people in, resolve it.

Each operation is one transaction with its audit row. Opening is recorded before Slack
is asked for a channel; what Slack then does (the channel, who got in, the runbook post,
or a refusal: the incident is marked failed) is recorded by the operations after it, so
the table never shows an incident as open without saying that its channel failed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.core import incidents as rules
from bot.core.errors import Refusal
from bot.core.incidents import CallTarget, Incident, IncidentCall, Role, Status
from bot.core.oncall import OnCall
from bot.core.ownership import Ownership
from bot.service.reads import Reads
from bot.storage.store import Transaction


@dataclass(frozen=True)
class OpenedIncident:
    """A stored incident and who its channel starts with (member ids, or the Slack user id
    of an opener outside the team)."""

    incident: Incident
    answer: OnCall  # who was on call, the owners and the backup when it opened
    ownership: Ownership
    invitees: tuple[tuple[str, Role], ...]


@dataclass(frozen=True)
class CallIn:
    """Someone called into an incident by a button."""

    incident: Incident
    call: IncidentCall
    opened: bool  # this click opened the incident (from a runbook post outside one)


class Incidents(Reads):
    # --- who acts ---------------------------------------------------------------------

    def person(self, slack_id: str) -> str:
        """How an incident names someone: their member id, else their Slack user id."""
        member = self.team.member_by_slack(slack_id)
        return member.id if member else slack_id

    def _may_act(self, incident: Incident, person: str) -> None:
        if not self.team.is_member(person) and person != incident.opened_by:
            raise Refusal("Only members of the on-call team, or who opened it, can do this.")

    def _ownership(self, answer: OnCall, pipeline_id: str) -> Ownership:
        found = next((o for o in answer.owners if o.pipeline.id == pipeline_id), None)
        if found is None:
            raise Refusal(f"'{pipeline_id}' is not one of the team's pipelines.")
        return found

    # --- opening ----------------------------------------------------------------------

    def open_incident(
        self, opener_slack: str, pipeline_id: str, summary: str = "", channel_id: str | None = None
    ) -> OpenedIncident:
        """Record a new open incident for `pipeline_id`; `channel_id` when it is held in an
        existing channel (a runbook post's button), else its channel is made next."""
        line = rules.summary_line(summary)
        now = self.now()
        answer = self.who(now)
        ownership = self._ownership(answer, pipeline_id)
        opener = self.person(opener_slack)
        with self.store.write() as s:
            incident = self._record_open(s, now, opener, pipeline_id, line, channel_id)
        invitees = rules.invitees(ownership, answer.on_call, opener)
        return OpenedIncident(incident, answer, ownership, invitees)

    def _record_open(
        self,
        s: Transaction,
        now: datetime,
        opener: str,
        pipeline_id: str,
        summary: str,
        channel_id: str | None,
        **detail: object,
    ) -> Incident:
        """A new open incident and its audit row, in the caller's transaction."""
        incident = self.store.add_incident(s, pipeline_id, summary, opener, now, channel_id)
        self.store.audit(
            s,
            now,
            opener,
            "incident_open",
            incident=incident.id,
            pipeline=pipeline_id,
            summary=summary,
            channel=channel_id,
            **detail,
        )
        return incident

    def incident_channel_made(self, incident_id: int, channel_id: str, name: str) -> Incident:
        with self.store.write() as s:
            incident = self.store.update_incident(
                s, incident_id, channel_id=channel_id, channel_name=name
            )
            self.store.audit(
                s, self.now(), "bot", "incident_channel", incident=incident_id, channel=channel_id
            )
        return incident

    def incident_failed(self, incident_id: int, error: str) -> Incident:
        """Slack refused the channel: the incident is recorded as failed, not left open."""
        with self.store.write() as s:
            incident = self.store.update_incident(s, incident_id, status=Status.FAILED.value)
            self.store.audit(
                s, self.now(), "bot", "incident_failed", incident=incident_id, error=error
            )
        return incident

    def incident_joined(
        self, incident_id: int, people: Sequence[tuple[str, Role]], by: str
    ) -> Incident:
        """Record who got into the channel when it opened (each once)."""
        now = self.now()
        with self.store.write() as s:
            for person, role in people:
                self.store.add_incident_call(s, incident_id, IncidentCall(person, role, by, now))
            self.store.audit(
                s,
                now,
                by,
                "incident_invited",
                incident=incident_id,
                people=[f"{p} ({r.value})" for p, r in people],
            )
            incident = self.store.incident(s, incident_id)
        assert incident is not None
        return incident

    def incident_posted(self, incident_id: int, ts: str) -> None:
        with self.store.write() as s:
            self.store.update_incident(s, incident_id, post_ts=ts)

    # --- calling in -------------------------------------------------------------------

    def call_in(
        self,
        actor_slack: str,
        target: CallTarget,
        pipeline_id: str,
        incident_id: int | None = None,
        channel_id: str | None = None,
    ) -> CallIn:
        """Call the backup or the other owner into an incident, once per person: a second
        click (or a colleague's at the same time) raises AlreadyCalled and calls nobody.

        From a runbook post (`incident_id` None) the incident is the open one of that
        pipeline held in `channel_id`; when there is none, this click opens it there (a
        member's click only), so that calls made from the post are kept once each too."""
        actor = self.person(actor_slack)
        now = self.now()
        answer = self.who(now)
        ownership = self._ownership(answer, pipeline_id)
        with self.store.write() as s:
            incident = None
            if incident_id:
                incident = self.store.incident(s, incident_id)
                if incident is None or incident.pipeline != pipeline_id:
                    raise Refusal("That incident is not recorded here.")
            elif channel_id:
                found = self.store.incident_in_channel(s, channel_id)
                if found and found.is_open and found.pipeline == pipeline_id:
                    incident = found
            opened = incident is None
            if incident is None:
                if not self.team.is_member(actor):
                    raise Refusal("Only members of the on-call team can call people in.")
                if not channel_id:
                    raise Refusal("Call people in from a channel: there is none to invite to.")
                incident = self._record_open(
                    s, now, actor, pipeline_id, "", channel_id, from_runbook_post=True
                )
            self._may_act(incident, actor)
            member, role = rules.call_target(incident, target, ownership, answer.backup)
            call = IncidentCall(member, role, actor, now)
            if self.store.add_incident_call(s, incident.id, call) is None:
                raise rules.AlreadyCalled(call)
            self.store.audit(
                s, now, actor, "incident_call", incident=incident.id, member=member, role=role
            )
            stored = self.store.incident(s, incident.id)
        assert stored is not None
        return CallIn(stored, call, opened)

    # --- resolving --------------------------------------------------------------------

    def check_may_resolve(self, incident_id: int, actor_slack: str) -> Incident:
        """Before the resolve form opens: the incident, or a Refusal saying why not."""
        incident = self.incident(incident_id)
        if incident is None:
            raise Refusal("That incident is not recorded here.")
        self._may_act(incident, self.person(actor_slack))
        rules.check_resolution(incident, "-")
        return incident

    def resolve_incident(self, incident_id: int, actor_slack: str, note: str) -> Incident:
        actor = self.person(actor_slack)
        now = self.now()
        with self.store.write() as s:
            incident = self.store.incident(s, incident_id)
            if incident is None:
                raise Refusal("That incident is not recorded here.")
            self._may_act(incident, actor)
            line = rules.check_resolution(incident, note)
            incident = self.store.update_incident(
                s,
                incident_id,
                status=Status.RESOLVED.value,
                resolved_at=now,
                resolved_by=actor,
                resolution=line,
            )
            self.store.audit(s, now, actor, "incident_resolve", incident=incident_id, note=line)
        return incident

    # --- reads ------------------------------------------------------------------------

    def incident(self, incident_id: int) -> Incident | None:
        with self.store.read() as s:
            return self.store.incident(s, incident_id)

    def incident_in_channel(self, channel_id: str) -> Incident | None:
        with self.store.read() as s:
            return self.store.incident_in_channel(s, channel_id)

    def open_incidents_of(self, person: str) -> list[Incident]:
        """Open incidents `person` (a member id or Slack user id) opened or is in."""
        with self.store.read() as s:
            return [i for i in self.store.open_incidents(s) if i.involves(person)]
