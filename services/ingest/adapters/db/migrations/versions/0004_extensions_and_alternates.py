"""Phone extensions (分机号) and alternate phones on leads and submissions; the tenant settings that govern them.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

CONTACT_TABLES = ("leads", "submissions")
SETTINGS = ("phone_extension_allowed", "alternate_phones_kept")


def upgrade() -> None:
    for table in CONTACT_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("phone_extension", sa.String(16), nullable=False, server_default=""))
            batch.add_column(sa.Column("alternate_phones", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("tenant_settings") as batch:
        for name in SETTINGS:
            batch.add_column(sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("tenant_settings") as batch:
        for name in SETTINGS:
            batch.drop_column(name)
    for table in CONTACT_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("alternate_phones")
            batch.drop_column("phone_extension")
