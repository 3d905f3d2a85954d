"""The assign tables: agents, teams, policies and their history, rotation state, capacity counters, leads,
assignments, the pool, cooling periods, follow-ups, tags and taggings, idempotent requests, tenant locks; and the
runtime's timers table (reminders, reclaims).
Mirrors ``adapters/db/tables.py`` (the schema test compares them on SQLite and PostgreSQL).

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
        "assign_agent_loads",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.Column("day_start_us", sa.BigInteger(), nullable=False),
        sa.Column("day_end_us", sa.BigInteger(), nullable=False),
        sa.Column("assigned_today", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "agent_id", name=op.f("pk_assign_agent_loads")),
    )
    op.create_table(
        "assign_agents",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=256), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("daily_capacity", sa.Integer(), nullable=False),
        sa.Column("max_held_leads", sa.Integer(), nullable=False),
        sa.Column("working_hours", sa.JSON(), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("create_us", sa.BigInteger(), nullable=False),
        sa.Column("update_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_assign_agents")),
    )
    op.create_index("ix_assign_agents_team", "assign_agents", ["tenant_id", "team_id"], unique=False)
    op.create_index(
        "uq_assign_agents_user",
        "assign_agents",
        ["tenant_id", "user_id"],
        unique=True,
        sqlite_where=sa.text("user_id != ''"),
        postgresql_where=sa.text("user_id != ''"),
    )

    op.create_table(
        "assign_assignments",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("lead_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=128), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("grade", sa.SmallInteger(), nullable=False),
        sa.Column("channel", sa.SmallInteger(), nullable=False),
        sa.Column("province", sa.String(length=32), nullable=False),
        sa.Column("city", sa.String(length=32), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("reason", sa.SmallInteger(), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column("previous_agent_id", sa.String(length=64), nullable=False),
        sa.Column("assign_us", sa.BigInteger(), nullable=False),
        sa.Column("first_follow_up_us", sa.BigInteger(), nullable=True),
        sa.Column("next_follow_up_us", sa.BigInteger(), nullable=True),
        sa.Column("reclaim_due_us", sa.BigInteger(), nullable=True),
        sa.Column("end_us", sa.BigInteger(), nullable=True),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("counts_toward_capacity", sa.Boolean(), nullable=False),
        sa.Column("reassign_reason", sa.String(length=1024), nullable=False),
        sa.Column("release_reason", sa.String(length=1024), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assign_assignments")),
    )
    op.create_index(
        "ix_assign_assignments_agent",
        "assign_assignments",
        ["tenant_id", "agent_id", "assign_us", "id"],
        unique=False,
    )
    op.create_index(
        "ix_assign_assignments_lead",
        "assign_assignments",
        ["tenant_id", "lead_id", "assign_us"],
        unique=False,
    )
    op.create_index(
        "ix_assign_assignments_time", "assign_assignments", ["tenant_id", "assign_us", "id"], unique=False
    )
    op.create_index(
        "uq_assign_assignments_active_lead",
        "assign_assignments",
        ["tenant_id", "lead_id"],
        unique=True,
        sqlite_where=sa.text("state = 1"),
        postgresql_where=sa.text("state = 1"),
    )

    op.create_table(
        "assign_cooldowns",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("lead_id", sa.String(length=128), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("end_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "lead_id", "agent_id", name=op.f("pk_assign_cooldowns")),
    )
    op.create_table(
        "assign_follow_ups",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("lead_id", sa.String(length=128), nullable=False),
        sa.Column("assignment_id", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.SmallInteger(), nullable=False),
        sa.Column("outcome", sa.SmallInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("follow_up_us", sa.BigInteger(), nullable=False),
        sa.Column("next_follow_up_us", sa.BigInteger(), nullable=True),
        sa.Column("invalid_reason", sa.SmallInteger(), nullable=False),
        sa.Column("create_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_assign_follow_ups")),
    )
    op.create_index(
        "ix_assign_follow_ups_agent",
        "assign_follow_ups",
        ["tenant_id", "agent_id", "follow_up_us", "id"],
        unique=False,
    )
    op.create_index(
        "ix_assign_follow_ups_lead",
        "assign_follow_ups",
        ["tenant_id", "lead_id", "follow_up_us", "id"],
        unique=False,
    )

    op.create_table(
        "assign_lead_tags",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("lead_id", sa.String(length=128), nullable=False),
        sa.Column("tag_id", sa.String(length=64), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.Column("add_us", sa.BigInteger(), nullable=False),
        sa.Column("remove_us", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assign_lead_tags")),
    )
    op.create_index("ix_assign_lead_tags_tag", "assign_lead_tags", ["tenant_id", "tag_id"], unique=False)
    op.create_index(
        "uq_assign_lead_tags_active",
        "assign_lead_tags",
        ["tenant_id", "lead_id", "tag_id"],
        unique=True,
        sqlite_where=sa.text("remove_us IS NULL"),
        postgresql_where=sa.text("remove_us IS NULL"),
    )

    op.create_table(
        "assign_leads",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("lead_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.SmallInteger(), nullable=False),
        sa.Column("traffic_source", sa.SmallInteger(), nullable=False),
        sa.Column("business_source", sa.SmallInteger(), nullable=False),
        sa.Column("campaign_id", sa.String(length=128), nullable=False),
        sa.Column("province", sa.String(length=32), nullable=False),
        sa.Column("city", sa.String(length=32), nullable=False),
        sa.Column("has_phone", sa.Boolean(), nullable=False),
        sa.Column("phone_from_wechat", sa.Boolean(), nullable=False),
        sa.Column("verdict", sa.SmallInteger(), nullable=False),
        sa.Column("returning_of_lead_id", sa.String(length=128), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("grade", sa.SmallInteger(), nullable=False),
        sa.Column("receive_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "lead_id", name=op.f("pk_assign_leads")),
    )
    op.create_table(
        "assign_policies",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=128), nullable=False),
        sa.Column("revision_id", sa.String(length=64), nullable=False),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "account_id", name=op.f("pk_assign_policies")),
    )
    op.create_table(
        "assign_policy_history",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=128), nullable=False),
        sa.Column("actor", sa.String(length=256), nullable=False),
        sa.Column("change_us", sa.BigInteger(), nullable=False),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assign_policy_history")),
    )
    op.create_index(
        "ix_assign_policy_history_account",
        "assign_policy_history",
        ["tenant_id", "account_id", "change_us", "id"],
        unique=False,
    )

    op.create_table(
        "assign_pool",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("lead_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=128), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("grade", sa.SmallInteger(), nullable=False),
        sa.Column("channel", sa.SmallInteger(), nullable=False),
        sa.Column("province", sa.String(length=32), nullable=False),
        sa.Column("city", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.SmallInteger(), nullable=False),
        sa.Column("enter_us", sa.BigInteger(), nullable=False),
        sa.Column("previous_agent_id", sa.String(length=64), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "lead_id", name=op.f("pk_assign_pool")),
    )
    op.create_index("ix_assign_pool_enter", "assign_pool", ["tenant_id", "enter_us", "lead_id"], unique=False)

    op.create_table(
        "assign_requests",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("digest", sa.LargeBinary(length=32), nullable=False),
        sa.Column("result_id", sa.String(length=64), nullable=False),
        sa.Column("create_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "request_id", name=op.f("pk_assign_requests")),
    )
    op.create_table(
        "assign_rotations",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=128), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "account_id", "rule_id", name=op.f("pk_assign_rotations")),
    )
    op.create_table(
        "assign_tags",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=256), nullable=False),
        sa.Column("scope", sa.SmallInteger(), nullable=False),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("owner_agent_id", sa.String(length=64), nullable=False),
        sa.Column("create_us", sa.BigInteger(), nullable=False),
        sa.Column("update_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_assign_tags")),
    )
    op.create_index("ix_assign_tags_owner", "assign_tags", ["tenant_id", "owner_agent_id"], unique=False)

    op.create_table(
        "assign_teams",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=256), nullable=False),
        sa.Column("admin_agent_ids", sa.JSON(), nullable=False),
        sa.Column("create_us", sa.BigInteger(), nullable=False),
        sa.Column("update_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_assign_teams")),
    )
    op.create_table(
        "assign_tenant_locks",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_assign_tenant_locks")),
    )
    create_timers_table(op.get_bind())


def downgrade() -> None:
    drop_timers_table(op.get_bind())
    op.drop_table("assign_tenant_locks")
    op.drop_table("assign_teams")
    op.drop_index("ix_assign_tags_owner", table_name="assign_tags")

    op.drop_table("assign_tags")
    op.drop_table("assign_rotations")
    op.drop_table("assign_requests")
    op.drop_index("ix_assign_pool_enter", table_name="assign_pool")

    op.drop_table("assign_pool")
    op.drop_index("ix_assign_policy_history_account", table_name="assign_policy_history")

    op.drop_table("assign_policy_history")
    op.drop_table("assign_policies")
    op.drop_table("assign_leads")
    op.drop_index(
        "uq_assign_lead_tags_active",
        table_name="assign_lead_tags",
        sqlite_where=sa.text("remove_us IS NULL"),
        postgresql_where=sa.text("remove_us IS NULL"),
    )
    op.drop_index("ix_assign_lead_tags_tag", table_name="assign_lead_tags")

    op.drop_table("assign_lead_tags")
    op.drop_index("ix_assign_follow_ups_lead", table_name="assign_follow_ups")
    op.drop_index("ix_assign_follow_ups_agent", table_name="assign_follow_ups")

    op.drop_table("assign_follow_ups")
    op.drop_table("assign_cooldowns")
    op.drop_index(
        "uq_assign_assignments_active_lead",
        table_name="assign_assignments",
        sqlite_where=sa.text("state = 1"),
        postgresql_where=sa.text("state = 1"),
    )
    op.drop_index("ix_assign_assignments_time", table_name="assign_assignments")
    op.drop_index("ix_assign_assignments_lead", table_name="assign_assignments")
    op.drop_index("ix_assign_assignments_agent", table_name="assign_assignments")

    op.drop_table("assign_assignments")
    op.drop_index(
        "uq_assign_agents_user",
        table_name="assign_agents",
        sqlite_where=sa.text("user_id != ''"),
        postgresql_where=sa.text("user_id != ''"),
    )
    op.drop_index("ix_assign_agents_team", table_name="assign_agents")

    op.drop_table("assign_agents")
    op.drop_table("assign_agent_loads")
