"""Telephony's callable hours per tenant, for leads no call has reported a window for yet.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "refund_callable_hours",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("end_minute", sa.Integer(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("change_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_refund_callable_hours")),
    )


def downgrade() -> None:
    op.drop_table("refund_callable_hours")
