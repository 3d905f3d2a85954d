"""The telephony datastore schema: the masked-number pool, bindings, calls, telephony's copy of leads and agents,
the dead-number list, per-tenant settings, idempotency records, and the shared messaging tables (the outbox of
call.started / call.completed, the inbox of consumed events).

Times are integer microseconds since the Unix epoch (UTC). Invariants are constraints:

* one number per (tenant, phone number);
* one call per (tenant, request_id): StartCall's idempotency, also under concurrency;
* one call per (tenant, lead, attempt number): racing StartCalls of one lead cannot share an attempt number;
* one call per (tenant, provider, carrier call id) and one binding per (provider, carrier binding id).

A number's load is kept on its row (``active_bindings``, ``calls_today`` of ``calls_day``) and changed by
compare-and-set updates, so choosing X reads one row per number rather than counting bindings and calls.
"""

from __future__ import annotations

import sqlalchemy as sa

from services.common.db import new_metadata
from services.common.erasurestore import erased_leads_table
from services.common.messaging import messaging_tables
from services.common.timerstore import timers_table

TENANT = 64
ID = 128
ULID = 26
PHONE = 32
REGION = 64
PROVIDER = 64

metadata = new_metadata()
messaging = messaging_tables(metadata)
timers = timers_table(metadata)

numbers = sa.Table(
    "telephony_numbers",
    metadata,
    sa.Column("id", sa.String(ULID), primary_key=True),
    sa.Column("tenant_id", sa.String(TENANT), nullable=False),
    sa.Column("phone_number", sa.String(PHONE), nullable=False),
    sa.Column("province", sa.String(REGION), nullable=False),
    sa.Column("city", sa.String(REGION), nullable=False),
    sa.Column("provider", sa.String(PROVIDER), nullable=False),
    sa.Column("status", sa.SmallInteger(), nullable=False),
    sa.Column("status_reason", sa.String(512), nullable=False),
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
    sa.UniqueConstraint("tenant_id", "phone_number"),
    sa.CheckConstraint("active_bindings >= 0", name="active_bindings_not_negative"),
)

bindings = sa.Table(
    "telephony_bindings",
    metadata,
    sa.Column("id", sa.String(ULID), primary_key=True),
    sa.Column("tenant_id", sa.String(TENANT), nullable=False),
    sa.Column("number_id", sa.String(ULID), nullable=False),
    sa.Column("lead_id", sa.String(ID), nullable=False),
    sa.Column("agent_id", sa.String(ID), nullable=False),
    sa.Column("create_us", sa.BigInteger(), nullable=False),
    sa.Column("expire_us", sa.BigInteger(), nullable=False),
    sa.Column("release_us", sa.BigInteger(), nullable=True),
    sa.Column("provider", sa.String(PROVIDER), nullable=False),
    sa.Column("provider_binding_id", sa.String(ID), nullable=True),
    # Whether the binding is still counted in its number's active_bindings (cleared once, on release or expiry).
    sa.Column("counted", sa.Boolean(), nullable=False),
    # Released here but maybe still bound at the carrier (the lead was erased, or the carrier's id arrived after
    # the release): the unbinder worker asks the carrier to unbind it, then clears this (migration 0003).
    sa.Column("unbind_pending", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.UniqueConstraint("provider", "provider_binding_id"),
)
sa.Index("ix_telephony_bindings_pair", bindings.c.tenant_id, bindings.c.lead_id, bindings.c.agent_id)
sa.Index("ix_telephony_bindings_number", bindings.c.tenant_id, bindings.c.number_id, bindings.c.counted)
sa.Index(
    "ix_telephony_bindings_unbind_pending",
    bindings.c.id,
    sqlite_where=bindings.c.unbind_pending,
    postgresql_where=bindings.c.unbind_pending,
)

calls = sa.Table(
    "telephony_calls",
    metadata,
    sa.Column("id", sa.String(ULID), primary_key=True),
    sa.Column("tenant_id", sa.String(TENANT), nullable=False),
    sa.Column("request_id", sa.String(64), nullable=False),
    sa.Column("lead_id", sa.String(ID), nullable=False),
    sa.Column("agent_id", sa.String(ID), nullable=False),
    sa.Column("account_id", sa.String(ID), nullable=False),
    sa.Column("binding_id", sa.String(ULID), nullable=False),
    sa.Column("number_id", sa.String(ULID), nullable=False),
    sa.Column("masked_number", sa.String(PHONE), nullable=False),
    sa.Column("mode", sa.SmallInteger(), nullable=False),
    sa.Column("attempt_number", sa.Integer(), nullable=False),
    sa.Column("start_us", sa.BigInteger(), nullable=False),
    sa.Column("state", sa.SmallInteger(), nullable=False),
    sa.Column("outcome", sa.SmallInteger(), nullable=False),
    sa.Column("release_us", sa.BigInteger(), nullable=True),
    sa.Column("provider", sa.String(PROVIDER), nullable=False),
    sa.Column("provider_call_id", sa.String(ID), nullable=True),
    sa.Column("published_outcome", sa.SmallInteger(), nullable=False),
    sa.Column("completion_revision", sa.Integer(), nullable=False),
    # The distinct carrier events of the call; every other field of the record is derived from them.
    sa.Column("events", sa.JSON(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("update_us", sa.BigInteger(), nullable=False),
    sa.UniqueConstraint("tenant_id", "request_id"),
    sa.UniqueConstraint("tenant_id", "lead_id", "attempt_number"),
    sa.UniqueConstraint("tenant_id", "provider", "provider_call_id"),
)
sa.Index("ix_telephony_calls_newest", calls.c.tenant_id, calls.c.start_us, calls.c.id)
sa.Index("ix_telephony_calls_agent", calls.c.tenant_id, calls.c.agent_id, calls.c.start_us)
sa.Index("ix_telephony_calls_binding", calls.c.tenant_id, calls.c.binding_id)
sa.Index(
    "ix_telephony_calls_number_ended", calls.c.tenant_id, calls.c.number_id, calls.c.state, calls.c.release_us
)
sa.Index("ix_telephony_calls_ended", calls.c.tenant_id, calls.c.state, calls.c.release_us)

leads = sa.Table(
    "telephony_leads",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
    sa.Column("lead_id", sa.String(ID), primary_key=True),
    sa.Column("account_id", sa.String(ID), nullable=False),
    sa.Column("phone", sa.String(PHONE), nullable=False),
    sa.Column("province", sa.String(REGION), nullable=False),
    sa.Column("city", sa.String(REGION), nullable=False),
    sa.Column("time_zone", sa.String(REGION), nullable=False),
    sa.Column("accepted_us", sa.BigInteger(), nullable=True),
    sa.Column("holder_agent_id", sa.String(ID), nullable=False),
    sa.Column("holder_us", sa.BigInteger(), nullable=True),
)

agents = sa.Table(
    "telephony_agents",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
    sa.Column("agent_id", sa.String(ID), primary_key=True),
    sa.Column("user_id", sa.String(256), nullable=False),
    sa.Column("phone", sa.String(PHONE), nullable=False),
    sa.Column("revision", sa.BigInteger(), nullable=False),
    sa.Column("deleted", sa.Boolean(), nullable=False),
)
sa.Index("ix_telephony_agents_user", agents.c.tenant_id, agents.c.user_id)

dead_numbers = sa.Table(
    "telephony_dead_numbers",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
    sa.Column("phone", sa.String(PHONE), primary_key=True),
    sa.Column("outcome", sa.SmallInteger(), nullable=False),
    sa.Column("call_id", sa.String(ULID), nullable=False),
    sa.Column("create_us", sa.BigInteger(), nullable=False),
)

tenant_settings = sa.Table(
    "telephony_settings",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
    sa.Column("settings", sa.JSON(), nullable=False),
    sa.Column("update_us", sa.BigInteger(), nullable=False),
)

requests = sa.Table(
    "telephony_requests",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("request_id", sa.String(64), primary_key=True),
    sa.Column("digest", sa.LargeBinary(32), nullable=False),
    sa.Column("create_us", sa.BigInteger(), nullable=False),
)


# Leads erased (lead.erased), so a later lead.accepted of theirs brings no phone back: migration 0003.
erased = erased_leads_table(metadata)
