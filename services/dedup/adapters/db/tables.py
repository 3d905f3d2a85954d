"""The dedup datastore schema: the keyed-hash index, idempotent requests, policies, bindings, history, and the
shared messaging tables (outbox for dedup.policy_changed).

No column holds raw personal data: ``dedup_keys.key_hash`` is the caller's HMAC-SHA256 (32 bytes) of a normalised
value under a key dedup never sees; ``dedup_requests.digest`` is a SHA-256 over those keyed hashes.

Times are stored as integer microseconds since the Unix epoch (UTC): exact on SQLite and PostgreSQL alike, so a
window boundary compares exactly.

The index lookup is one B-tree probe on ``uq_dedup_keys_tenant_id_scope_key_dimension_key_hash`` per fingerprint,
so the cost of a claim grows with log(index size) only.
"""

from __future__ import annotations

import sqlalchemy as sa

from services.common.db import new_metadata
from services.common.messaging import messaging_tables

# SQLite only makes INTEGER PRIMARY KEY an alias of the rowid (and so autoincrementing); BIGINT would not be.
_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
ACCOUNT = 128
LEAD = 128
TENANT = 64

metadata = new_metadata()
messaging = messaging_tables(metadata)

dedup_keys = sa.Table(
    "dedup_keys",
    metadata,
    sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
    sa.Column("tenant_id", sa.String(TENANT), nullable=False),
    # The key space: the account itself (scope ACCOUNT) or the group's parent account (scope ACCOUNT_GROUP).
    sa.Column("scope_key", sa.String(ACCOUNT), nullable=False),
    sa.Column("dimension", sa.SmallInteger(), nullable=False),
    sa.Column("key_hash", sa.LargeBinary(32), nullable=False),
    sa.Column("lead_id", sa.String(LEAD), nullable=False),
    sa.Column("first_seen_us", sa.BigInteger(), nullable=False),
    sa.Column("last_seen_us", sa.BigInteger(), nullable=False),
    # The account whose policy was in effect when the key was recorded or last re-pointed.
    sa.Column("policy_account_id", sa.String(ACCOUNT), nullable=False),
    sa.Column("origin", sa.SmallInteger(), nullable=False),
    sa.Column("origin_lead_id", sa.String(LEAD), nullable=False, server_default=""),
    sa.UniqueConstraint("tenant_id", "scope_key", "dimension", "key_hash"),
    sa.CheckConstraint("length(key_hash) = 32", name="key_hash_32_bytes"),
)
sa.Index("ix_dedup_keys_tenant_lead", dedup_keys.c.tenant_id, dedup_keys.c.lead_id)

dedup_requests = sa.Table(
    "dedup_requests",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
    sa.Column("request_id", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    # Unique too: a claim is idempotent on its candidate lead id as well (NULL for ForgetLead requests).
    sa.Column("candidate_lead_id", sa.String(LEAD), nullable=True),
    sa.Column("digest", sa.LargeBinary(32), nullable=False),
    sa.Column("response", sa.JSON(), nullable=True),
    sa.Column("created_us", sa.BigInteger(), nullable=False),
    sa.UniqueConstraint("tenant_id", "candidate_lead_id"),
)

dedup_policies = sa.Table(
    "dedup_policies",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
    sa.Column("account_id", sa.String(ACCOUNT), primary_key=True),
    sa.Column("policy", sa.JSON(), nullable=False),
    sa.Column("update_us", sa.BigInteger(), nullable=False),
    sa.Column("updated_by", sa.String(256), nullable=False),
)

dedup_bindings = sa.Table(
    "dedup_bindings",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
    # One parent per child, by the primary key.
    sa.Column("child_account_id", sa.String(ACCOUNT), primary_key=True),
    sa.Column("parent_account_id", sa.String(ACCOUNT), nullable=False),
    sa.Column("bind_us", sa.BigInteger(), nullable=False),
    sa.Column("bound_by", sa.String(256), nullable=False),
    sa.CheckConstraint("child_account_id <> parent_account_id", name="not_self"),
)
sa.Index(
    "ix_dedup_bindings_tenant_parent",
    dedup_bindings.c.tenant_id,
    dedup_bindings.c.parent_account_id,
    dedup_bindings.c.child_account_id,
)

dedup_policy_history = sa.Table(
    "dedup_policy_history",
    metadata,
    sa.Column("id", sa.String(26), primary_key=True),
    sa.Column("tenant_id", sa.String(TENANT), nullable=False),
    sa.Column("account_id", sa.String(ACCOUNT), nullable=False),
    sa.Column("actor", sa.String(256), nullable=False),
    sa.Column("change_us", sa.BigInteger(), nullable=False),
    sa.Column("changed_fields", sa.JSON(), nullable=False),
    sa.Column("old_policy", sa.JSON(), nullable=True),
    sa.Column("new_policy", sa.JSON(), nullable=False),
)
sa.Index(
    "ix_dedup_policy_history_account",
    dedup_policy_history.c.tenant_id,
    dedup_policy_history.c.account_id,
    dedup_policy_history.c.change_us,
    dedup_policy_history.c.id,
)

# One row per tenant, locked (SELECT ... FOR UPDATE) by policy and binding changes so that the checks of a binding
# (no chains, no child that is a parent) cannot interleave with another binding of the same tenant.
dedup_tenant_locks = sa.Table(
    "dedup_tenant_locks",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
)
