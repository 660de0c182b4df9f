"""`app_home_opened`: a fresh Home tab each time someone opens it."""

from __future__ import annotations

from typing import Any

from bot.slack.common import text_field
from bot.slack.home import homes_from


def app_home_opened(event: dict[str, Any], context: Any) -> None:
    # The same event fires for the Messages and About tabs; only Home has a view to publish.
    if text_field(event, "tab") != "home":
        return
    user_id = text_field(event, "user")
    if user_id:
        # Rendered and published in the background, coalesced with other refreshes of
        # this person's Home; a failure is logged there (the tab keeps its last view).
        homes_from(context).refresh(user_id)
