"""`/oncall calendar`'s private answer: the subscribe links, how to add them, a reset."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, ConfirmObject

from bot.service.calendar import CalendarLinks, FeedSetup
from bot.slack import ids
from bot.slack.blocks import kit
from bot.slack.mrkdwn import Mrkdwn, code, md

HOW_TO_ADD = md(
    "*Google Calendar* (on the web): Other calendars › + › From URL, paste a link, "
    "Add calendar.\n"
    "*Outlook*: Add calendar › Subscribe from web (Outlook on the web) or "
    "Add Calendar › From Internet (Windows), paste a link.\n"
    "*Apple Calendar*: File › New Calendar Subscription, paste a link."
)
KEEP_PRIVATE = md(
    "Anyone with a link can read that calendar: keep them to yourself. Calendar apps "
    "fetch a feed again every few hours (Google up to once a day), so a swap shows there "
    "after their next fetch. Links you were given before keep working until you reset them."
)


def calendar_links_text(links: CalendarLinks) -> Mrkdwn:
    return md(
        "Subscribe in your calendar app. Your on-call weeks: {}\nThe team's rotation: {}",
        links.personal,
        links.team,
    )


def calendar_links_blocks(links: CalendarLinks, setup: FeedSetup) -> list[Block]:
    blocks: list[Block] = [kit.header("Your on-call calendar")]
    if links.revoked:
        blocks.append(
            kit.context(
                md(
                    ":recycle: {} earlier link(s) revoked: calendars subscribed to them stop "
                    "updating. Subscribe to these instead.",
                    links.revoked,
                )
            )
        )
    blocks += [
        kit.section(
            md("*Your weeks*, on call and as backup (covers included):\n{}", code(links.personal))
        ),
        kit.section(md("*The team's rotation*, everyone's weeks:\n{}", code(links.team))),
        kit.section(HOW_TO_ADD),
        kit.context(KEEP_PRIVATE),
    ]
    if setup.socket_mode:
        blocks.append(
            kit.context(
                md(
                    "This bot runs in Socket Mode, which has no public HTTP server: the feeds "
                    "are served on a port of their own ({}), reached at PUBLIC_URL.",
                    setup.calendar_port,
                )
            )
        )
    reset = ButtonElement(
        text=kit.plain("Reset links", kit.BUTTON_LIMIT),
        action_id=ids.CALENDAR_RESET,
        value="reset",
        style="danger",
        confirm=ConfirmObject(
            title="Reset your calendar links?",
            text="Every link you were given stops working; calendars subscribed to them "
            "stop updating. You get new links.",
            confirm="Reset",
            deny="Keep them",
            style="danger",
        ),
    )
    blocks.append(ActionsBlock(elements=[reset]))
    return blocks
