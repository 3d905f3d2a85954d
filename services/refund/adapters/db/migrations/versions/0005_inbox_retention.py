"""The inbox's index on processed_at, which retention deletes by (services.common.messaging.retention).

Revision ID: 0005
Revises: 0004
"""

from alembic import op

from services.common.messaging import add_inbox_retention_index, drop_inbox_retention_index

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_inbox_retention_index(op.get_bind())


def downgrade() -> None:
    drop_inbox_retention_index(op.get_bind())
