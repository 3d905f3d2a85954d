"""Submissions by tenant and submit time: ListLeadSubmissions without a lead (for example the REJECTED ones).

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_submissions_tenant_submit", "submissions", ["tenant_id", "submit_us", "id"])


def downgrade() -> None:
    op.drop_index("ix_submissions_tenant_submit", table_name="submissions")
