"""The ingest tables: leads, lead accounts, submissions, blocklists, dead numbers, tenant settings (with the
default row), and the shared messaging tables (outbox, inbox, dead letters).

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from services.common.messaging import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables(op.get_bind())
    op.create_table(
        "leads",
        sa.Column("id", sa.String(128), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("verdict", sa.SmallInteger(), nullable=False),
        sa.Column("invalid_reason", sa.String(64), nullable=False, server_default=""),
        sa.Column("name", sa.String(100), nullable=False, server_default=""),
        sa.Column("phone", sa.String(32), nullable=False, server_default=""),
        sa.Column("phone_from_wechat", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("wechat", sa.String(64), nullable=False, server_default=""),
        sa.Column("email", sa.String(254), nullable=False, server_default=""),
        sa.Column("ip", sa.String(64), nullable=False, server_default=""),
        sa.Column("device_id", sa.String(128), nullable=False, server_default=""),
        sa.Column("phone_province", sa.String(32), nullable=False, server_default=""),
        sa.Column("phone_city", sa.String(32), nullable=False, server_default=""),
        sa.Column("channel", sa.SmallInteger(), nullable=False),
        sa.Column("traffic_source", sa.SmallInteger(), nullable=False),
        sa.Column("business_source", sa.SmallInteger(), nullable=False),
        sa.Column("first_submit_us", sa.BigInteger(), nullable=False),
        sa.Column("last_submit_us", sa.BigInteger(), nullable=False),
        sa.Column("submission_count", sa.Integer(), nullable=False),
        sa.Column("create_us", sa.BigInteger(), nullable=False),
        sa.Column("update_us", sa.BigInteger(), nullable=False),
        sa.Column("returning_of_lead_id", sa.String(128), nullable=False, server_default=""),
        sa.Column("duplicate_of_lead_id", sa.String(128), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name="pk_leads"),
    )
    op.create_index("ix_leads_tenant_first_submit", "leads", ["tenant_id", "first_submit_us", "id"])
    op.create_index("ix_leads_tenant_phone", "leads", ["tenant_id", "phone"])

    op.create_table(
        "lead_accounts",
        sa.Column("lead_id", sa.String(128), nullable=False),
        sa.Column("account_id", sa.String(128), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("add_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("lead_id", "account_id", name="pk_lead_accounts"),
    )
    op.create_index(
        "ix_lead_accounts_tenant_account", "lead_accounts", ["tenant_id", "account_id", "lead_id"]
    )

    op.create_table(
        "submissions",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("lead_id", sa.String(128), nullable=False, server_default=""),
        sa.Column("account_id", sa.String(128), nullable=False),
        sa.Column("collect_account_id", sa.String(128), nullable=True),
        sa.Column("channel", sa.SmallInteger(), nullable=False),
        sa.Column("traffic_source", sa.SmallInteger(), nullable=False),
        sa.Column("business_source", sa.SmallInteger(), nullable=False),
        sa.Column("external_id", sa.String(128), nullable=False, server_default=""),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("request_digest", sa.LargeBinary(32), nullable=False),
        sa.Column("name", sa.String(100), nullable=False, server_default=""),
        sa.Column("phone", sa.String(32), nullable=False, server_default=""),
        sa.Column("phone_from_wechat", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("wechat", sa.String(64), nullable=False, server_default=""),
        sa.Column("email", sa.String(254), nullable=False, server_default=""),
        sa.Column("ip", sa.String(64), nullable=False, server_default=""),
        sa.Column("device_id", sa.String(128), nullable=False, server_default=""),
        sa.Column("phone_province", sa.String(32), nullable=False, server_default=""),
        sa.Column("phone_city", sa.String(32), nullable=False, server_default=""),
        sa.Column("campaign_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("adgroup_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("creative_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("cost_currency", sa.String(3), nullable=True),
        sa.Column("cost_units", sa.BigInteger(), nullable=True),
        sa.Column("cost_nanos", sa.Integer(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("consent", sa.JSON(), nullable=False),
        sa.Column("verdict", sa.SmallInteger(), nullable=False),
        sa.Column("rejections", sa.JSON(), nullable=False),
        sa.Column("matches", sa.JSON(), nullable=False),
        sa.Column("duplicate_of_lead_id", sa.String(128), nullable=False, server_default=""),
        sa.Column("returning_of_lead_id", sa.String(128), nullable=False, server_default=""),
        sa.Column("submit_us", sa.BigInteger(), nullable=False),
        sa.Column("create_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_submissions"),
        sa.UniqueConstraint("tenant_id", "request_id", name="uq_submissions_tenant_id_request_id"),
    )
    has_external_id = sa.text("external_id <> ''")
    op.create_index(
        "uq_submissions_tenant_external",
        "submissions",
        ["tenant_id", "account_id", "channel", "external_id"],
        unique=True,
        sqlite_where=has_external_id,
        postgresql_where=has_external_id,
    )
    op.create_index("ix_submissions_tenant_lead", "submissions", ["tenant_id", "lead_id", "submit_us"])

    op.create_table(
        "blocklist_entries",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.SmallInteger(), nullable=False),
        sa.Column("value", sa.String(64), nullable=False),
        sa.Column("note", sa.String(256), nullable=False, server_default=""),
        sa.Column("create_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "kind", "value", name="pk_blocklist_entries"),
    )
    op.create_table(
        "dead_numbers",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("lead_id", sa.String(128), nullable=False, server_default=""),
        sa.Column("call_id", sa.String(128), nullable=False, server_default=""),
        sa.Column("create_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "phone", name="pk_dead_numbers"),
    )
    settings = op.create_table(
        "tenant_settings",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("default_region", sa.String(2), nullable=False),
        sa.Column("landline_allowed", sa.Boolean(), nullable=False),
        sa.Column("blocklist_version", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("update_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_tenant_settings"),
    )
    # The default row: Chinese numbers without a country code, landlines accepted.
    op.bulk_insert(
        settings,
        [
            {
                "tenant_id": "*",
                "default_region": "CN",
                "landline_allowed": True,
                "blocklist_version": 0,
                "update_us": 0,
            }
        ],
    )


def downgrade() -> None:
    for table in (
        "tenant_settings",
        "dead_numbers",
        "blocklist_entries",
        "submissions",
        "lead_accounts",
        "leads",
    ):
        op.drop_table(table)
    drop_messaging_tables(op.get_bind())
