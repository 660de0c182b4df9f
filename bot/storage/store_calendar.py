"""Store methods for calendar feed tokens (`calendar_token` rows): part of `Store`, the one door.

Only a token's SHA-256 is stored: the token itself exists in the link shown to its owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from bot.storage.tables import CalendarTokenRow


@dataclass(frozen=True)
class FeedToken:
    """A live feed link: whose it is and which feed it opens ("member" or "team")."""

    id: int
    member: str
    scope: str
    token_hash: str


class CalendarStore:
    @staticmethod
    def add_calendar_token(
        s: Session, member: str, scope: str, token_hash: str, now: datetime
    ) -> FeedToken:
        row = CalendarTokenRow(member=member, scope=scope, token_hash=token_hash, created_at=now)
        s.add(row)
        s.flush()
        assert row.id is not None
        return FeedToken(row.id, row.member, row.scope, row.token_hash)

    @staticmethod
    def calendar_token(s: Session, token_hash: str) -> FeedToken | None:
        """The live (not revoked) token with this hash, if any."""
        query = select(CalendarTokenRow).where(
            CalendarTokenRow.token_hash == token_hash,
            CalendarTokenRow.revoked_at == None,  # noqa: E711
        )
        row = s.exec(query).first()
        if row is None or row.id is None:
            return None
        return FeedToken(row.id, row.member, row.scope, row.token_hash)

    @staticmethod
    def revoke_calendar_tokens(s: Session, member: str, now: datetime) -> int:
        """Revoke every live token of `member`; how many there were."""
        query = select(CalendarTokenRow).where(
            CalendarTokenRow.member == member,
            CalendarTokenRow.revoked_at == None,  # noqa: E711
        )
        rows = list(s.exec(query))
        for row in rows:
            row.revoked_at = now
        s.flush()
        return len(rows)
