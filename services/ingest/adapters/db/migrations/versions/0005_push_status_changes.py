"""Push rules choose their events (accepted leads, status changes: 回传); deliveries say which event they push.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rules and deliveries stored before this revision were all about accepted leads.
    with op.batch_alter_table("push_rules") as batch:
        batch.add_column(
            sa.Column("event_types", sa.JSON(), nullable=False, server_default='["lead.accepted"]')
        )
    with op.batch_alter_table("push_deliveries") as batch:
        batch.add_column(
            sa.Column("event_type", sa.String(32), nullable=False, server_default="lead.accepted")
        )


def downgrade() -> None:
    with op.batch_alter_table("push_deliveries") as batch:
        batch.drop_column("event_type")
    with op.batch_alter_table("push_rules") as batch:
        batch.drop_column("event_types")
