"""Erasure (lead.erased): the runtime's erased_leads table, and bindings released here that the carrier must still
unbind.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from services.common.erasurestore import create_erased_leads_table, drop_erased_leads_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_erased_leads_table(op.get_bind())
    with op.batch_alter_table("telephony_bindings") as batch:
        batch.add_column(sa.Column("unbind_pending", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index(
        "ix_telephony_bindings_unbind_pending",
        "telephony_bindings",
        ["id"],
        sqlite_where=sa.text("unbind_pending"),
        postgresql_where=sa.text("unbind_pending"),
    )


def downgrade() -> None:
    op.drop_index("ix_telephony_bindings_unbind_pending", table_name="telephony_bindings")
    with op.batch_alter_table("telephony_bindings") as batch:
        batch.drop_column("unbind_pending")
    drop_erased_leads_table(op.get_bind())
