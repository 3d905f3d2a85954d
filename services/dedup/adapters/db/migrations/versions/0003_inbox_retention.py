"""The inbox's index on processed_at, which retention deletes by (services.common.messaging.retention).

Revision ID: 0003
Revises: 0002
"""

from alembic import op

from services.common.messaging import add_inbox_retention_index, drop_inbox_retention_index

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_inbox_retention_index(op.get_bind())


def downgrade() -> None:
    drop_inbox_retention_index(op.get_bind())
