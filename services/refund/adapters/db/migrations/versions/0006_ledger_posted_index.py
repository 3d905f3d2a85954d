"""The ledger's index on posted_us, which the ledger check reads its recent entries by (handlers.ledger_check).

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_refund_ledger_entries_posted", "refund_ledger_entries", ["posted_us"])


def downgrade() -> None:
    op.drop_index("ix_refund_ledger_entries_posted", table_name="refund_ledger_entries")
