"""Erased leads (lead.erased): the runtime's erased_leads table, so that a lead.accepted handled after its erasure
routes nothing.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

from services.common.erasurestore import create_erased_leads_table, drop_erased_leads_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_erased_leads_table(op.get_bind())


def downgrade() -> None:
    drop_erased_leads_table(op.get_bind())
