"""The telephony tables: numbers, bindings, calls, leads, agents, dead numbers, settings, requests, timers.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from services.common.timerstore import create_timers_table, drop_timers_table

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "telephony_agents",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.String(length=256), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "agent_id", name=op.f("pk_telephony_agents")),
    )
    op.create_index("ix_telephony_agents_user", "telephony_agents", ["tenant_id", "user_id"])

    op.create_table(
        "telephony_bindings",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("number_id", sa.String(length=26), nullable=False),
        sa.Column("lead_id", sa.String(length=128), nullable=False),
        sa.Column("agent_id", sa.String(length=128), nullable=False),
        sa.Column("create_us", sa.BigInteger(), nullable=False),
        sa.Column("expire_us", sa.BigInteger(), nullable=False),
        sa.Column("release_us", sa.BigInteger(), nullable=True),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("provider_binding_id", sa.String(length=128), nullable=True),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telephony_bindings")),
        sa.UniqueConstraint(
            "provider", "provider_binding_id", name=op.f("uq_telephony_bindings_provider_provider_binding_id")
        ),
    )
    op.create_index(
        "ix_telephony_bindings_number", "telephony_bindings", ["tenant_id", "number_id", "counted"]
    )
    op.create_index("ix_telephony_bindings_pair", "telephony_bindings", ["tenant_id", "lead_id", "agent_id"])

    op.create_table(
        "telephony_calls",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("lead_id", sa.String(length=128), nullable=False),
        sa.Column("agent_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=128), nullable=False),
        sa.Column("binding_id", sa.String(length=26), nullable=False),
        sa.Column("number_id", sa.String(length=26), nullable=False),
        sa.Column("masked_number", sa.String(length=32), nullable=False),
        sa.Column("mode", sa.SmallInteger(), nullable=False),
        sa.Column("attempt_number", sa.Integer(), nullable=False),
        sa.Column("start_us", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("outcome", sa.SmallInteger(), nullable=False),
        sa.Column("release_us", sa.BigInteger(), nullable=True),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("provider_call_id", sa.String(length=128), nullable=True),
        sa.Column("published_outcome", sa.SmallInteger(), nullable=False),
        sa.Column("completion_revision", sa.Integer(), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("update_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telephony_calls")),
        sa.UniqueConstraint(
            "tenant_id",
            "lead_id",
            "attempt_number",
            name=op.f("uq_telephony_calls_tenant_id_lead_id_attempt_number"),
        ),
        sa.UniqueConstraint(
            "tenant_id",
            "provider",
            "provider_call_id",
            name=op.f("uq_telephony_calls_tenant_id_provider_provider_call_id"),
        ),
        sa.UniqueConstraint("tenant_id", "request_id", name=op.f("uq_telephony_calls_tenant_id_request_id")),
    )
    op.create_index("ix_telephony_calls_agent", "telephony_calls", ["tenant_id", "agent_id", "start_us"])
    op.create_index("ix_telephony_calls_binding", "telephony_calls", ["tenant_id", "binding_id"])
    op.create_index("ix_telephony_calls_ended", "telephony_calls", ["tenant_id", "state", "release_us"])
    op.create_index("ix_telephony_calls_newest", "telephony_calls", ["tenant_id", "start_us", "id"])
    op.create_index(
        "ix_telephony_calls_number_ended",
        "telephony_calls",
        ["tenant_id", "number_id", "state", "release_us"],
    )

    op.create_table(
        "telephony_dead_numbers",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.SmallInteger(), nullable=False),
        sa.Column("call_id", sa.String(length=26), nullable=False),
        sa.Column("create_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "phone", name=op.f("pk_telephony_dead_numbers")),
    )
    op.create_table(
        "telephony_leads",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("lead_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=128), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("province", sa.String(length=64), nullable=False),
        sa.Column("city", sa.String(length=64), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("accepted_us", sa.BigInteger(), nullable=True),
        sa.Column("holder_agent_id", sa.String(length=128), nullable=False),
        sa.Column("holder_us", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "lead_id", name=op.f("pk_telephony_leads")),
    )
    op.create_table(
        "telephony_numbers",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("phone_number", sa.String(length=32), nullable=False),
        sa.Column("province", sa.String(length=64), nullable=False),
        sa.Column("city", sa.String(length=64), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("status_reason", sa.String(length=512), nullable=False),
        sa.Column("cooling_end_us", sa.BigInteger(), nullable=True),
        sa.Column("status_change_us", sa.BigInteger(), nullable=True),
        sa.Column("max_concurrent_bindings", sa.Integer(), nullable=False),
        sa.Column("max_daily_calls", sa.Integer(), nullable=False),
        sa.Column("last_bind_us", sa.BigInteger(), nullable=True),
        sa.Column("active_bindings", sa.Integer(), nullable=False),
        sa.Column("calls_day", sa.Integer(), nullable=False),
        sa.Column("calls_today", sa.Integer(), nullable=False),
        sa.Column("create_us", sa.BigInteger(), nullable=False),
        sa.Column("update_us", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "active_bindings >= 0", name=op.f("ck_telephony_numbers_active_bindings_not_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telephony_numbers")),
        sa.UniqueConstraint(
            "tenant_id", "phone_number", name=op.f("uq_telephony_numbers_tenant_id_phone_number")
        ),
    )
    op.create_table(
        "telephony_requests",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.LargeBinary(length=32), nullable=False),
        sa.Column("create_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "kind", "request_id", name=op.f("pk_telephony_requests")),
    )
    op.create_table(
        "telephony_settings",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("update_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_telephony_settings")),
    )
    create_timers_table(op.get_bind())


def downgrade() -> None:
    drop_timers_table(op.get_bind())
    op.drop_table("telephony_settings")
    op.drop_table("telephony_requests")
    op.drop_table("telephony_numbers")
    op.drop_table("telephony_leads")
    op.drop_table("telephony_dead_numbers")
    op.drop_index("ix_telephony_calls_number_ended", table_name="telephony_calls")
    op.drop_index("ix_telephony_calls_newest", table_name="telephony_calls")
    op.drop_index("ix_telephony_calls_ended", table_name="telephony_calls")
    op.drop_index("ix_telephony_calls_binding", table_name="telephony_calls")
    op.drop_index("ix_telephony_calls_agent", table_name="telephony_calls")

    op.drop_table("telephony_calls")
    op.drop_index("ix_telephony_bindings_pair", table_name="telephony_bindings")
    op.drop_index("ix_telephony_bindings_number", table_name="telephony_bindings")

    op.drop_table("telephony_bindings")
    op.drop_index("ix_telephony_agents_user", table_name="telephony_agents")

    op.drop_table("telephony_agents")
