"""The first schema: every table of bot/storage/tables.py as it was, except `delivery`.

Revision ID: 0001
Revises:
Create Date: 2026-11-01

Written out by hand (not generated at run time), so this revision never changes
when the tables do. Instants are naive UTC DATETIME/TIMESTAMP columns; dates are
DATE columns.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "planned_week",
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("member", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("fixed", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("index"),
    )
    op.create_table(
        "time_off",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member", sa.String(length=64), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_time_off_end", "time_off", ["end"])
    op.create_index("ix_time_off_member_end", "time_off", ["member", "end"])
    op.create_table(
        "swap_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requester", sa.String(length=64), nullable=False),
        sa.Column("counterpart", sa.String(length=64), nullable=False),
        sa.Column("requester_week", sa.Integer(), nullable=False),
        sa.Column("counterpart_week", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("dm_channel", sa.String(length=32), nullable=True),
        sa.Column("dm_ts", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_swap_request_requester", "swap_request", ["requester"])
    op.create_index("ix_swap_request_counterpart", "swap_request", ["counterpart"])
    op.create_index("ix_swap_request_status", "swap_request", ["status"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "announcement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "week", name="uq_announcement_kind_week"),
    )


def downgrade() -> None:
    op.drop_table("announcement")
    op.drop_table("audit_log")
    op.drop_index("ix_swap_request_status", table_name="swap_request")
    op.drop_index("ix_swap_request_counterpart", table_name="swap_request")
    op.drop_index("ix_swap_request_requester", table_name="swap_request")
    op.drop_table("swap_request")
    op.drop_index("ix_time_off_member_end", table_name="time_off")
    op.drop_index("ix_time_off_end", table_name="time_off")
    op.drop_table("time_off")
    op.drop_table("planned_week")
    op.drop_table("meta")
