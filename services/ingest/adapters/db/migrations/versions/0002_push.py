"""Push delivery: push_rules (one per account) and push_deliveries (one per lead.accepted event).

Mirrors ``services.ingest.adapters.db.push_tables``; constraint and index names follow the naming convention of
``services.common.db`` so both dialects agree.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "push_rules",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(128), nullable=False),
        sa.Column("endpoint_url", sa.String(2048), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        # Plain for now; production should keep signing secrets in a secret store or encrypt them under one.
        sa.Column("secret", sa.String(128), nullable=False),
        sa.Column("update_us", sa.BigInteger(), nullable=False),
        sa.Column("updated_by", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "account_id", name="pk_push_rules"),
    )
    op.create_table(
        "push_deliveries",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(128), nullable=False),
        sa.Column("lead_id", sa.String(128), nullable=False),
        sa.Column("event_id", sa.String(40), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_http_status", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.String(500), nullable=False, server_default=""),
        sa.Column("next_attempt_us", sa.BigInteger(), nullable=True),
        sa.Column("first_attempt_us", sa.BigInteger(), nullable=True),
        sa.Column("delivered_us", sa.BigInteger(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("create_us", sa.BigInteger(), nullable=False),
        sa.Column("update_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_push_deliveries"),
        sa.UniqueConstraint("event_id", name="uq_push_deliveries_event_id"),
        sa.CheckConstraint("status IN (1, 2, 3, 4)", name="ck_push_deliveries_status"),
    )
    active = sa.text("next_attempt_us IS NOT NULL")
    op.create_index(
        "ix_push_deliveries_due",
        "push_deliveries",
        ["next_attempt_us"],
        sqlite_where=active,
        postgresql_where=active,
    )
    op.create_index(
        "ix_push_deliveries_tenant_lead", "push_deliveries", ["tenant_id", "lead_id", "create_us", "id"]
    )
    op.create_index(
        "ix_push_deliveries_tenant_account", "push_deliveries", ["tenant_id", "account_id", "create_us", "id"]
    )


def downgrade() -> None:
    op.drop_table("push_deliveries")
    op.drop_table("push_rules")
