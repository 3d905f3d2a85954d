"""Erasure (EraseLead): when a lead's personal data was erased and by whom; an index to find the REJECTED submissions
of a number.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

REJECTED = sa.text("verdict = 4")


def upgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("erase_us", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("erased_by", sa.String(128), nullable=False, server_default=""))
    op.create_index(
        "ix_submissions_rejected_phone",
        "submissions",
        ["tenant_id", "phone"],
        sqlite_where=REJECTED,
        postgresql_where=REJECTED,
    )


def downgrade() -> None:
    op.drop_index("ix_submissions_rejected_phone", table_name="submissions")
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("erased_by")
        batch.drop_column("erase_us")
