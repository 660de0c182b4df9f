"""Store methods for calendar feed tokens (`calendar_token` rows): part of `Store`, the one door.

Only a token's SHA-256 is stored: the token itself exists in the link shown to its owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from bot.storage.tables import CalendarTokenRow


@dataclass(frozen=True)
class FeedToken:
    """A live feed link: whose it is and which feed it opens ("member" or "team")."""

    id: int
    member: str
    scope: str
    token_hash: str


def _token(r: CalendarTokenRow) -> FeedToken:
    assert r.id is not None
    return FeedToken(r.id, r.member, r.scope, r.token_hash)


_LIVE = col(CalendarTokenRow.revoked_at).is_(None)


class CalendarStore:
    @staticmethod
    def add_calendar_token(
        s: Session, member: str, scope: str, token_hash: str, now: datetime
    ) -> FeedToken:
        row = CalendarTokenRow(member=member, scope=scope, token_hash=token_hash, created_at=now)
        s.add(row)
        s.flush()
        return _token(row)

    @staticmethod
    def calendar_token(s: Session, token_hash: str) -> FeedToken | None:
        """The live (not revoked) token with this hash, if any."""
        query = select(CalendarTokenRow).where(CalendarTokenRow.token_hash == token_hash, _LIVE)
        row = s.exec(query).first()
        return None if row is None else _token(row)

    @staticmethod
    def revoke_calendar_tokens(s: Session, member: str, now: datetime) -> int:
        """Revoke every live token of `member`; how many there were."""
        query = select(CalendarTokenRow).where(CalendarTokenRow.member == member, _LIVE)
        rows = list(s.exec(query))
        for row in rows:
            row.revoked_at = now
        s.flush()
        return len(rows)
