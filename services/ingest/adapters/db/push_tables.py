"""The push tables of the ingest datastore: one push rule per account, one delivery per pushed event.

Added to the ingest MetaData by ``services.ingest.adapters.tables`` and created by migration 0002. Times are integer
microseconds since the Unix epoch (UTC), as in every other ingest table.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

TENANT = 64
ACCOUNT = 128
LEAD = 128
ID = 32
EVENT_ID = 40
SUBJECT = 128


@dataclass(frozen=True)
class PushTables:
    rules: sa.Table
    deliveries: sa.Table


def push_tables(metadata: sa.MetaData) -> PushTables:
    """Add ``push_rules`` and ``push_deliveries`` to ``metadata`` and return them; when ``metadata`` has them
    already (``services.ingest.adapters.tables`` added them), return those."""
    if "push_rules" in metadata.tables and "push_deliveries" in metadata.tables:
        return PushTables(rules=metadata.tables["push_rules"], deliveries=metadata.tables["push_deliveries"])
    rules = sa.Table(
        "push_rules",
        metadata,
        sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
        sa.Column("account_id", sa.String(ACCOUNT), primary_key=True),
        sa.Column("endpoint_url", sa.String(2048), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        # The Lead field names to push, in order; empty: every pushable field.
        sa.Column("fields", sa.JSON(), nullable=False),
        # The HMAC signing secret, stored in plain so the worker can sign. Production should keep it in a secret
        # store (or encrypt it here under a key from one, envelope-style) rather than in the database in clear.
        sa.Column("secret", sa.String(128), nullable=False),
        sa.Column("update_us", sa.BigInteger(), nullable=False),
        sa.Column("updated_by", sa.String(SUBJECT), nullable=False),
        # The PushEventType values the rule pushes ("lead.accepted", "lead.status_changed"); added by migration 0005.
        sa.Column("event_types", sa.JSON(), nullable=False, server_default='["lead.accepted"]'),
    )

    deliveries = sa.Table(
        "push_deliveries",
        metadata,
        sa.Column("id", sa.String(ID), primary_key=True),
        sa.Column("tenant_id", sa.String(TENANT), nullable=False),
        sa.Column("account_id", sa.String(ACCOUNT), nullable=False),
        sa.Column("lead_id", sa.String(LEAD), nullable=False),
        # One delivery per event (lead.accepted or lead.status_changed): a redelivered event can't schedule a second
        # push.
        sa.Column("event_id", sa.String(EVENT_ID), nullable=False, unique=True),
        # The PushEventType value pushed; added by migration 0005.
        sa.Column("event_type", sa.String(32), nullable=False, server_default="lead.accepted"),
        # PushDeliveryStatus: 1 PENDING, 2 DELIVERED, 3 FAILED, 4 GAVE_UP.
        sa.Column("status", sa.SmallInteger(), nullable=False),
        # Attempts started; also the fencing token of a claim (see push_repository.claim_due).
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_http_status", sa.Integer(), nullable=False, server_default="0"),
        # Short fixed texts ("HTTP 500", "timeout after 10s"): never a URL, a response body or personal data.
        sa.Column("last_error", sa.String(500), nullable=False, server_default=""),
        # Set exactly while PENDING or FAILED: when the next attempt is due, or when a claim's lease ends.
        sa.Column("next_attempt_us", sa.BigInteger(), nullable=True),
        sa.Column("first_attempt_us", sa.BigInteger(), nullable=True),
        sa.Column("delivered_us", sa.BigInteger(), nullable=True),
        # The selected lead fields: personal data, exactly what the advertiser asked to receive.
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("create_us", sa.BigInteger(), nullable=False),
        sa.Column("update_us", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("status IN (1, 2, 3, 4)", name="status"),
    )
    # The worker's due scan: proportional to the deliveries still wanting an attempt, not to the history.
    active = deliveries.c.next_attempt_us.is_not(None)
    sa.Index(
        "ix_push_deliveries_due",
        deliveries.c.next_attempt_us,
        sqlite_where=active,
        postgresql_where=active,
    )
    # ListPushDeliveries: newest first by lead or by account within a tenant, ties by id.
    sa.Index(
        "ix_push_deliveries_tenant_lead",
        deliveries.c.tenant_id,
        deliveries.c.lead_id,
        deliveries.c.create_us,
        deliveries.c.id,
    )
    sa.Index(
        "ix_push_deliveries_tenant_account",
        deliveries.c.tenant_id,
        deliveries.c.account_id,
        deliveries.c.create_us,
        deliveries.c.id,
    )
    return PushTables(rules=rules, deliveries=deliveries)
