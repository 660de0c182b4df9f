"""Take-over builders (bot.slack.blocks.takeover): valid Block Kit (to_dict validates),
names and reasons escaped, the right buttons, and the read views naming the take-over."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from teams import bare_team

from bot.core.model import Assignment, Member, Override, SwapRequest, SwapStatus
from bot.core.oncall import who
from bot.core.weeks import week
from bot.service.results import OnCallNow
from bot.slack import ids
from bot.slack.blocks import requests, status, takeover
from bot.slack.blocks.handover import reminder_blocks, reminder_text
from bot.slack.blocks.home import home_view

TEAM = replace(
    bare_team(("a", "b")),
    members=(Member("a", "<!channel> *A*", "U1"), Member("b", "B & co", "U2")),
    admins=frozenset({"b"}),
)
NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
END = week(TEAM, 0).end
REQUEST = SwapRequest(
    3, "a", "b", 0, None, SwapStatus.PENDING, NOW, NOW.replace(hour=19),
    reason="ill <@U9> & _tired_", starts_at=NOW, ends_at=END,
)  # fmt: skip


def dumped(blocks: list) -> str:
    return json.dumps([b.to_dict() for b in blocks])


def test_the_request_dm_escapes_and_carries_its_own_buttons() -> None:
    out = dumped(takeover.takeover_request_dm(TEAM, REQUEST))
    assert "<!channel>" not in out and "&lt;!channel&gt;" in out
    assert "<@U9>" not in out and "B &amp; co" not in out  # the reader's own name is not said
    assert ids.TAKEOVER_ACCEPT in out and ids.TAKEOVER_DECLINE in out
    assert ids.SWAP_ACCEPT not in out
    assert "Mon 07 Dec 09:00 EST" in out and "Wed 02 Dec 14:00 EST" in out
    text = takeover.takeover_request_text(TEAM, REQUEST)
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text


def test_the_reminder_of_a_take_over_uses_the_take_over_buttons() -> None:
    out = dumped(reminder_blocks(TEAM, REQUEST, 1))
    assert ids.TAKEOVER_ACCEPT in out and ids.SWAP_ACCEPT not in out


def test_the_modal_offers_colleagues_and_admins_the_record_choice() -> None:
    plan = {0: Assignment(0, "a"), 1: Assignment(1, "b")}
    answer = who(TEAM, plan, (), NOW)
    mine = takeover.takeover_modal(TEAM, TEAM.members[0], answer, TEAM.members, False).to_dict()
    assert mine["callback_id"] == ids.TAKEOVER_MODAL and "submit" in mine
    blocks = {b.get("block_id") for b in mine["blocks"]}
    assert {
        ids.TAKEOVER_COLLEAGUE,
        ids.TAKEOVER_UNTIL,
    } <= blocks and ids.TAKEOVER_MODE not in blocks
    admin = takeover.takeover_modal(TEAM, TEAM.members[1], answer, TEAM.members, True).to_dict()
    assert ids.TAKEOVER_MODE in {b.get("block_id") for b in admin["blocks"]}
    # Neither on call nor an admin: told why, no form.
    other = replace(TEAM, admins=frozenset())
    told = takeover.takeover_modal(other, other.members[1], answer, other.members, False)
    assert "submit" not in told.to_dict() and "only they" in json.dumps(told.to_dict())


def test_now_names_the_take_over_and_until_when() -> None:
    plan = {0: Assignment(0, "a"), 1: Assignment(1, "b")}
    o = Override("b", "a", NOW, END, "takes over")
    answer = who(TEAM, plan, (), NOW, (o,))
    shown = OnCallNow(**{k: getattr(answer, k) for k in answer.__dataclass_fields__}, takeover=o)
    text = status.now_text(TEAM, shown)
    assert text.startswith("On call: B &amp; co (taking over from &lt;!channel&gt;")
    assert "until Mon 07 Dec 09:00 EST) (backup" in text
    assert "taking over from" in dumped(status.now_blocks(TEAM, shown))
    assert "taking over from" not in status.now_text(TEAM, answer)


def test_the_app_home_offers_a_take_over_its_own_buttons() -> None:
    plan = {0: Assignment(0, "a"), 1: Assignment(1, "b")}
    answer = who(TEAM, plan, (), NOW)
    view = home_view(TEAM, answer, TEAM.members[1], swaps_to_me=[REQUEST])
    out = json.dumps(view)
    assert ids.TAKEOVER_ACCEPT in out and ids.TAKEOVER_DECLINE in out
    assert ids.SWAP_ACCEPT not in out and ids.SWAP_DECLINE not in out


def test_a_take_over_that_expired_or_closed_reads_as_a_take_over() -> None:
    expired = replace(REQUEST, status=SwapStatus.EXPIRED)
    texts = [
        requests.swap_decided_text(TEAM, expired, None),
        dumped(requests.swap_decided_blocks(TEAM, expired, None)),
        requests.swap_outcome_text(TEAM, expired, "a"),
        requests.swap_closed_text(TEAM, REQUEST, "B left the team"),
        requests.swap_summary(TEAM, REQUEST),
    ]
    for text in texts:
        assert "takes over from" in text and "covers" not in text
        assert "week started" not in text and "Swap request" not in text
    assert "expired before they answered" in texts[2] and "still on call" in texts[2]


def test_the_reminder_says_take_over_and_both_show_the_deadline_as_a_date_token() -> None:
    assert reminder_text(TEAM, REQUEST) == "&lt;!channel&gt; *A* still needs someone to take over."
    swap = SwapRequest(4, "a", "b", 1, 2, SwapStatus.PENDING, NOW, week(TEAM, 1).start)
    assert reminder_text(TEAM, swap) == "A swap request waits for your answer."
    for r in (REQUEST, swap):
        out = dumped(reminder_blocks(TEAM, r, 1))
        assert f"<!date^{int(r.expires_at.timestamp())}^" in out
