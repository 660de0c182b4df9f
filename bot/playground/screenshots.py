"""The README's pictures, taken from the playground so they never go stale.

    python -m bot.playground.screenshots [--out docs/screenshots]

Starts the playground on the shipped team (or ONCALL_CONFIG) at a fixed instant, drives
it in headless Chromium as a newcomer would, and saves one PNG per surface: the /oncall
answer, the swap request DM, the App Home, the time-off modal, a runbook posted in a
channel, the take-over request DM, the calendar links, an incident's channel, the "your
weeks changed" DM and the handover post.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.core.model import Member
from bot.playground import browser
from bot.playground.main import Playground, PlaygroundError, start_playground
from bot.playground.workspace import INCIDENT_ID

#: Tuesday 1 Dec 2026, 10:00 in New York: the shipped team's first week (John's).
AT = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
OUT = Path("docs/screenshots")
#: What `take` writes, in order; docs/screenshots holds these and nothing else.
SHOTS = (
    "oncall.png",
    "runbook.png",
    "swap-request-dm.png",
    "home.png",
    "timeoff-modal.png",
    "takeover-dm.png",
    "calendar.png",
    "incident.png",
    "weeks-changed-dm.png",
    "handover.png",
)


def take(playground: Playground, page: browser.Page, out: Path) -> list[Path]:
    team = playground.running.service.team
    first, second = team.members[0], team.members[1]
    dm = playground.workspace.dm_of
    saved = []

    def keep(name: str) -> None:
        """Once the page has stopped changing: the app may still be sending."""
        page.steady()
        saved.append(page.save(out / name))

    def answer_in_dm(member: Member, button: str, shot: str, answered: str) -> None:
        """`member` opens their DM with the bot, is pictured there, and presses `button`."""
        page.be(member.name)
        page.open(dm(member.slack_id))
        page.shows(button)
        keep(shot)
        page.click(button)
        page.shows(answered)

    page.be(first.name)
    page.open(team.channel)
    page.type("/oncall")
    page.shows(f"On call now: {first.name}")
    keep("oncall.png")

    page.open(INCIDENT_ID)
    pipeline = next(p for p in team.pipelines if p.runbook)
    page.type(f"/oncall runbook {pipeline.id}")
    page.shows(pipeline.name)
    page.steady()
    # From its first line (after the command): a runbook is taller than the window.
    page.driver.execute_script(
        "document.querySelector('#messages .message.ephemeral + .message').scrollIntoView(true)"
    )
    saved.append(page.save(out / "runbook.png"))

    page.open("home")
    page.click("Request swap")
    page.modal()
    page.choose("counterpart", second.name)
    page.submit()
    page.modal_closed()
    answer_in_dm(second, "Accept", "swap-request-dm.png", "Accepted")

    page.open("home")
    page.shows("Your next weeks")
    # The Home is refreshed a moment after the change: wait for the accepted swap.
    page.until(lambda: "Swap requests to you" not in page.text(), "the Home never refreshed")
    keep("home.png")

    page.click("Request time off")
    page.modal()
    page.pick_date("start", "2026-12-03")
    page.pick_date("end", "2026-12-04")
    page.submit()
    page.until(lambda: page.text('[data-error-for="start"]').strip(), "no inline error")
    keep("timeoff-modal.png")
    page.press("#modal-close")
    page.modal_closed()

    # The engineer on call falls ill: a colleague is asked to take over now.
    third = team.members[2]
    page.be(first.name)
    page.open(team.channel)
    page.type(f"/oncall cover @{third.name} down with the flu")
    answer_in_dm(third, "Accept: take over now", "takeover-dm.png", "You are on call from now")

    page.open(team.channel)
    page.type("/oncall calendar")
    page.shows("Reset links")
    keep("calendar.png")

    # A pipeline breaks: an incident channel with its runbook, and the backup called in.
    pipeline = next(p for p in team.pipelines if p.runbook and p.primary == third.id)
    page.be(first.name)
    page.open(team.channel)
    page.type(f"/oncall incident {pipeline.id} loads failing since 09:00")
    page.shows("is open")
    channel = page.until(lambda: _made_channel(playground), "no incident channel")
    page.open(channel)
    page.click("Call in backup")
    page.shows("called in")
    keep("incident.png")

    # The accepted swap changed John's weeks: told once, after the changes' quiet window.
    page.press("#jump-hour")
    page.open(dm(first.slack_id))
    page.shows("Your on-call weeks changed")
    keep("weeks-changed-dm.png")

    page.open(team.channel)
    page.press("#jump-handover")
    page.press("#jump-minute")
    page.shows("On-call handover")
    keep("handover.png")
    return saved


def _made_channel(playground: Playground) -> str | None:
    """The channel the app made for the incident, once it exists."""
    made = [c for c, name in playground.workspace.channels.items() if name.startswith("inc-")]
    return made[-1] if made else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder (default {OUT})")
    args = parser.parse_args(argv)
    why_not = browser.available()
    if why_not:
        print(f"cannot take screenshots: {why_not}", file=sys.stderr)
        return 1
    try:
        playground = start_playground(at=AT)
    except PlaygroundError as e:
        print(f"cannot start the playground: {e}", file=sys.stderr)
        return 1
    driver = browser.chromium()
    try:
        for path in take(playground, browser.Page(driver, playground.url), args.out):
            print(f"wrote {path}")
    finally:
        driver.quit()
        playground.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
