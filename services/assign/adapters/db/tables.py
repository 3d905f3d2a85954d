"""The assign datastore schema, mirrored by the migrations (0002+), and the shared messaging tables.

Times are integer microseconds since the Unix epoch (``services.common.timeconv``); enums are their contract
numbers. Every row carries its tenant, and every key and index starts with it.

Invariants held by the database, not by reads:
- at most one ACTIVE assignment per lead: the partial unique index ``uq_assign_assignments_active_lead``;
- one pool entry per lead: the primary key; a claim removes it with a conditional DELETE;
- rotation state: one row per (account, rule), written where ``version`` is still the one read;
- capacity: ``assign_agent_loads`` counts each agent's held leads and leads received on its current local day,
  and a lead is taken only by an UPDATE whose WHERE re-checks the limits against the row as it stands when
  written (PostgreSQL re-evaluates it after a concurrent writer commits);
- one active tagging per (lead, tag): a partial unique index; removed taggings stay as history;
- an agent's user_id (JWT subject) unique in the tenant when set: a partial unique index.

The agent's phone is stored in plain E.164 form: this store is assign's own and telephony needs the number, so
agent events carry it sealed under the tenant's key; it never appears in logs, metrics or errors.
"""

from __future__ import annotations

import sqlalchemy as sa

from services.common.db import new_metadata
from services.common.erasurestore import erased_leads_table
from services.common.messaging import messaging_tables
from services.common.timerstore import timers_table

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TENANT = 64
ID = 64
ACCOUNT = 128
USER = 128
REGION = 32

metadata = new_metadata()
messaging = messaging_tables(metadata)

assign_teams = sa.Table(
    "assign_teams",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
    sa.Column("id", sa.String(ID), primary_key=True),
    sa.Column("display_name", sa.String(256), nullable=False),
    sa.Column("admin_agent_ids", sa.JSON(), nullable=False),
    sa.Column("create_us", sa.BigInteger(), nullable=False),
    sa.Column("update_us", sa.BigInteger(), nullable=False),
)

assign_agents = sa.Table(
    "assign_agents",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
    sa.Column("id", sa.String(ID), primary_key=True),
    sa.Column("team_id", sa.String(ID), nullable=False),
    sa.Column("display_name", sa.String(256), nullable=False),
    sa.Column("phone", sa.String(32), nullable=False),
    sa.Column("regions", sa.JSON(), nullable=False),
    sa.Column("weight", sa.Integer(), nullable=False),
    sa.Column("daily_capacity", sa.Integer(), nullable=False),
    sa.Column("max_held_leads", sa.Integer(), nullable=False),
    sa.Column("working_hours", sa.JSON(), nullable=False),
    sa.Column("status", sa.SmallInteger(), nullable=False),
    sa.Column("user_id", sa.String(USER), nullable=False),
    sa.Column("revision", sa.BigInteger(), nullable=False),
    sa.Column("create_us", sa.BigInteger(), nullable=False),
    sa.Column("update_us", sa.BigInteger(), nullable=False),
)
sa.Index("ix_assign_agents_team", assign_agents.c.tenant_id, assign_agents.c.team_id)
_has_user = assign_agents.c.user_id != ""
sa.Index(
    "uq_assign_agents_user",
    assign_agents.c.tenant_id,
    assign_agents.c.user_id,
    unique=True,
    sqlite_where=_has_user,
    postgresql_where=_has_user,
)

assign_policies = sa.Table(
    "assign_policies",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
    sa.Column("account_id", sa.String(ACCOUNT), primary_key=True),
    sa.Column("revision_id", sa.String(ID), nullable=False),
    sa.Column("policy", sa.JSON(), nullable=False),
)

assign_policy_history = sa.Table(
    "assign_policy_history",
    metadata,
    sa.Column("id", sa.String(ID), primary_key=True),
    sa.Column("tenant_id", sa.String(TENANT), nullable=False),
    sa.Column("account_id", sa.String(ACCOUNT), nullable=False),
    sa.Column("actor", sa.String(256), nullable=False),
    sa.Column("change_us", sa.BigInteger(), nullable=False),
    sa.Column("policy", sa.JSON(), nullable=False),
)
sa.Index(
    "ix_assign_policy_history_account",
    assign_policy_history.c.tenant_id,
    assign_policy_history.c.account_id,
    assign_policy_history.c.change_us,
    assign_policy_history.c.id,
)

assign_rotations = sa.Table(
    "assign_rotations",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
    sa.Column("account_id", sa.String(ACCOUNT), primary_key=True),
    sa.Column("rule_id", sa.String(ID), primary_key=True),
    sa.Column("version", sa.BigInteger(), nullable=False),
    sa.Column("state", sa.JSON(), nullable=False),
)

assign_agent_loads = sa.Table(
    "assign_agent_loads",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
    sa.Column("agent_id", sa.String(ID), primary_key=True),
    sa.Column("held", sa.Integer(), nullable=False),
    # The agent's local day the day counter is for, [start, end) in UTC microseconds.
    sa.Column("day_start_us", sa.BigInteger(), nullable=False),
    sa.Column("day_end_us", sa.BigInteger(), nullable=False),
    sa.Column("assigned_today", sa.Integer(), nullable=False),
)

assign_leads = sa.Table(
    "assign_leads",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
    sa.Column("lead_id", sa.String(ACCOUNT), primary_key=True),
    sa.Column("account_id", sa.String(ACCOUNT), nullable=False),
    sa.Column("channel", sa.SmallInteger(), nullable=False),
    sa.Column("traffic_source", sa.SmallInteger(), nullable=False),
    sa.Column("business_source", sa.SmallInteger(), nullable=False),
    sa.Column("campaign_id", sa.String(ACCOUNT), nullable=False),
    sa.Column("province", sa.String(REGION), nullable=False),
    sa.Column("city", sa.String(REGION), nullable=False),
    sa.Column("has_phone", sa.Boolean(), nullable=False),
    sa.Column("phone_from_wechat", sa.Boolean(), nullable=False),
    sa.Column("verdict", sa.SmallInteger(), nullable=False),
    sa.Column("returning_of_lead_id", sa.String(ACCOUNT), nullable=False),
    sa.Column("score", sa.SmallInteger(), nullable=False),
    sa.Column("grade", sa.SmallInteger(), nullable=False),
    sa.Column("receive_us", sa.BigInteger(), nullable=False),
)


def _lead_summary_columns() -> list[sa.Column[object]]:
    """The copy of the lead's facts kept on assignments and pool entries, for filters and display."""
    return [
        sa.Column("account_id", sa.String(ACCOUNT), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("grade", sa.SmallInteger(), nullable=False),
        sa.Column("channel", sa.SmallInteger(), nullable=False),
        sa.Column("province", sa.String(REGION), nullable=False),
        sa.Column("city", sa.String(REGION), nullable=False),
    ]


assign_assignments = sa.Table(
    "assign_assignments",
    metadata,
    sa.Column("id", sa.String(ID), primary_key=True),
    sa.Column("tenant_id", sa.String(TENANT), nullable=False),
    sa.Column("lead_id", sa.String(ACCOUNT), nullable=False),
    *_lead_summary_columns(),
    sa.Column("agent_id", sa.String(ID), nullable=False),
    sa.Column("team_id", sa.String(ID), nullable=False),
    sa.Column("state", sa.SmallInteger(), nullable=False),
    sa.Column("reason", sa.SmallInteger(), nullable=False),
    sa.Column("rule_id", sa.String(ID), nullable=False),
    sa.Column("previous_agent_id", sa.String(ID), nullable=False),
    sa.Column("assign_us", sa.BigInteger(), nullable=False),
    sa.Column("first_follow_up_us", sa.BigInteger(), nullable=True),
    sa.Column("next_follow_up_us", sa.BigInteger(), nullable=True),
    sa.Column("reclaim_due_us", sa.BigInteger(), nullable=True),
    sa.Column("end_us", sa.BigInteger(), nullable=True),
    sa.Column("reminders_sent", sa.Integer(), nullable=False),
    sa.Column("counts_toward_capacity", sa.Boolean(), nullable=False),
    sa.Column("reassign_reason", sa.String(1024), nullable=False),
    sa.Column("release_reason", sa.String(1024), nullable=False),
    sa.Column("version", sa.BigInteger(), nullable=False),
)
_active = assign_assignments.c.state == 1
sa.Index(
    "uq_assign_assignments_active_lead",
    assign_assignments.c.tenant_id,
    assign_assignments.c.lead_id,
    unique=True,
    sqlite_where=_active,
    postgresql_where=_active,
)
sa.Index(
    "ix_assign_assignments_lead",
    assign_assignments.c.tenant_id,
    assign_assignments.c.lead_id,
    assign_assignments.c.assign_us,
)
sa.Index(
    "ix_assign_assignments_agent",
    assign_assignments.c.tenant_id,
    assign_assignments.c.agent_id,
    assign_assignments.c.assign_us,
    assign_assignments.c.id,
)
sa.Index(
    "ix_assign_assignments_time",
    assign_assignments.c.tenant_id,
    assign_assignments.c.assign_us,
    assign_assignments.c.id,
)

assign_pool = sa.Table(
    "assign_pool",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
    sa.Column("lead_id", sa.String(ACCOUNT), primary_key=True),
    *_lead_summary_columns(),
    sa.Column("reason", sa.SmallInteger(), nullable=False),
    sa.Column("enter_us", sa.BigInteger(), nullable=False),
    sa.Column("previous_agent_id", sa.String(ID), nullable=False),
    sa.Column("rule_id", sa.String(ID), nullable=False),
)
sa.Index("ix_assign_pool_enter", assign_pool.c.tenant_id, assign_pool.c.enter_us, assign_pool.c.lead_id)

assign_cooldowns = sa.Table(
    "assign_cooldowns",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
    sa.Column("lead_id", sa.String(ACCOUNT), primary_key=True),
    sa.Column("agent_id", sa.String(ID), primary_key=True),
    sa.Column("end_us", sa.BigInteger(), nullable=False),
)

assign_follow_ups = sa.Table(
    "assign_follow_ups",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
    sa.Column("id", sa.String(ID), primary_key=True),
    sa.Column("lead_id", sa.String(ACCOUNT), nullable=False),
    sa.Column("assignment_id", sa.String(ID), nullable=False),
    sa.Column("agent_id", sa.String(ID), nullable=False),
    sa.Column("kind", sa.SmallInteger(), nullable=False),
    sa.Column("outcome", sa.SmallInteger(), nullable=False),
    sa.Column("note", sa.Text(), nullable=False),
    sa.Column("call_id", sa.String(ID), nullable=False),
    sa.Column("follow_up_us", sa.BigInteger(), nullable=False),
    sa.Column("next_follow_up_us", sa.BigInteger(), nullable=True),
    sa.Column("invalid_reason", sa.SmallInteger(), nullable=False),
    sa.Column("create_us", sa.BigInteger(), nullable=False),
)
sa.Index(
    "ix_assign_follow_ups_lead",
    assign_follow_ups.c.tenant_id,
    assign_follow_ups.c.lead_id,
    assign_follow_ups.c.follow_up_us,
    assign_follow_ups.c.id,
)
sa.Index(
    "ix_assign_follow_ups_agent",
    assign_follow_ups.c.tenant_id,
    assign_follow_ups.c.agent_id,
    assign_follow_ups.c.follow_up_us,
    assign_follow_ups.c.id,
)

assign_tags = sa.Table(
    "assign_tags",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
    sa.Column("id", sa.String(ID), primary_key=True),
    sa.Column("display_name", sa.String(256), nullable=False),
    sa.Column("scope", sa.SmallInteger(), nullable=False),
    sa.Column("state", sa.SmallInteger(), nullable=False),
    sa.Column("owner_agent_id", sa.String(ID), nullable=False),
    sa.Column("create_us", sa.BigInteger(), nullable=False),
    sa.Column("update_us", sa.BigInteger(), nullable=False),
)
sa.Index("ix_assign_tags_owner", assign_tags.c.tenant_id, assign_tags.c.owner_agent_id)

assign_lead_tags = sa.Table(
    "assign_lead_tags",
    metadata,
    sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
    sa.Column("tenant_id", sa.String(TENANT), nullable=False),
    sa.Column("lead_id", sa.String(ACCOUNT), nullable=False),
    sa.Column("tag_id", sa.String(ID), nullable=False),
    sa.Column("added_by", sa.String(ID), nullable=False),
    sa.Column("add_us", sa.BigInteger(), nullable=False),
    sa.Column("remove_us", sa.BigInteger(), nullable=True),
)
_tag_active = assign_lead_tags.c.remove_us.is_(None)
sa.Index(
    "uq_assign_lead_tags_active",
    assign_lead_tags.c.tenant_id,
    assign_lead_tags.c.lead_id,
    assign_lead_tags.c.tag_id,
    unique=True,
    sqlite_where=_tag_active,
    postgresql_where=_tag_active,
)
sa.Index("ix_assign_lead_tags_tag", assign_lead_tags.c.tenant_id, assign_lead_tags.c.tag_id)

assign_requests = sa.Table(
    "assign_requests",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
    sa.Column("request_id", sa.String(ID), primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("digest", sa.LargeBinary(32), nullable=False),
    sa.Column("result_id", sa.String(ID), nullable=False),
    sa.Column("create_us", sa.BigInteger(), nullable=False),
)

# One row per tenant, locked (SELECT ... FOR UPDATE) while tag names change.
assign_tenant_locks = sa.Table(
    "assign_tenant_locks",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
)

# Persisted timers (reminders, reclaims), fired by the runtime's timer worker (services.common.timerstore).
timers = timers_table(metadata)

# Leads erased (lead.erased), so a later lead.accepted of theirs routes nothing: migration 0003.
erased = erased_leads_table(metadata)
