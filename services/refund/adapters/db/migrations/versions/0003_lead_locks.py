"""The lead lock rows: every write path of a lead locks its row before reading the lead, so two charges of one person
(or a charge and a call report) handled at once by two replicas see each other and only one is the first.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "refund_lead_locks",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("lead_id", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "lead_id", name=op.f("pk_refund_lead_locks")),
    )


def downgrade() -> None:
    op.drop_table("refund_lead_locks")
