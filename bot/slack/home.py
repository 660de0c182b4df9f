"""Publishing the App Home: called when it opens and after any change that shows on it."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.service import OnCallService
from bot.slack.blocks.home import home_view
from bot.slack.common import member_of

HOME_WEEKS = 6


def publish_home(client: WebClient, service: OnCallService, user_id: str) -> None:
    """Render and publish the App Home for one Slack user (views.publish).

    Slack API errors propagate: the caller decides whether to log or surface them.
    """
    team = service.team
    answer = service.who()
    member = member_of(team, user_id)
    if member is None:
        view = home_view(team, answer, None)
    else:
        swaps = service.swaps_of(member.id)
        view = home_view(
            team,
            answer,
            member,
            my_weeks=service.weeks_of(member.id, count=HOME_WEEKS),
            swaps_to_me=[s for s in swaps if s.counterpart == member.id],
            swaps_from_me=[s for s in swaps if s.requester == member.id],
            my_time_off=service.time_off_of(member.id),
        )
    client.views_publish(user_id=user_id, view=view)
