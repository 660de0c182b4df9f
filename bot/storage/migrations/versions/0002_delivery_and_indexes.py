"""Add `delivery`: Slack deliveries already handled, so a retry has no second effect.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

The read indexes (swap_request.status/requester/counterpart, time_off.end and
(member, end)) are already in 0001, as they were in the tables, so this revision
only adds the table.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("delivery")
