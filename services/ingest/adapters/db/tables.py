"""The ingest datastore schema: leads, their accounts, submissions (the idempotency record too), blocklists,
dead numbers, tenant settings, push rules and deliveries, and the shared messaging tables.

Times are integer microseconds since the Unix epoch (UTC), exact and ordered the same on SQLite and PostgreSQL.
Uniqueness lives in constraints: a lead id once, a (tenant, request_id) once, a (tenant, account, channel,
external_id) once when the external id is not empty, a lead-account pair once.

Personal data (phone, WeChat id, e-mail, IP, device id, name) is stored here, and only here: ingest owns the lead.
"""

from __future__ import annotations

import sqlalchemy as sa

from services.common.db import new_metadata
from services.common.messaging import messaging_tables
from services.ingest.adapters.db.push_tables import push_tables

TENANT = 64
ACCOUNT = 128
LEAD = 128
ID = 32

metadata = new_metadata()
messaging = messaging_tables(metadata)

leads = sa.Table(
    "leads",
    metadata,
    sa.Column("id", sa.String(LEAD), primary_key=True),
    sa.Column("tenant_id", sa.String(TENANT), nullable=False),
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
    # 分机号 and the other numbers of a cell that held several (migration 0004). Personal data.
    sa.Column("phone_extension", sa.String(16), nullable=False, server_default=""),
    sa.Column("alternate_phones", sa.JSON(), nullable=False, server_default="[]"),
    # Of the first submission: what ListLeads filters on.
    sa.Column("channel", sa.SmallInteger(), nullable=False),
    sa.Column("traffic_source", sa.SmallInteger(), nullable=False),
    sa.Column("business_source", sa.SmallInteger(), nullable=False),
    sa.Column("first_submit_us", sa.BigInteger(), nullable=False),
    sa.Column("last_submit_us", sa.BigInteger(), nullable=False),
    sa.Column("submission_count", sa.Integer(), nullable=False),
    sa.Column("create_us", sa.BigInteger(), nullable=False),
    sa.Column("update_us", sa.BigInteger(), nullable=False),
    sa.Column("returning_of_lead_id", sa.String(LEAD), nullable=False, server_default=""),
    sa.Column("duplicate_of_lead_id", sa.String(LEAD), nullable=False, server_default=""),
    # Set when the lead's personal data was erased (EraseLead, migration 0005), with who asked for it.
    sa.Column("erase_us", sa.BigInteger(), nullable=True),
    sa.Column("erased_by", sa.String(128), nullable=False, server_default=""),
)
# ListLeads: newest first within a tenant, ties by id.
sa.Index("ix_leads_tenant_first_submit", leads.c.tenant_id, leads.c.first_submit_us, leads.c.id)
# call.completed finds a lead's phone; the dead-number list is keyed by phone.
sa.Index("ix_leads_tenant_phone", leads.c.tenant_id, leads.c.phone)

lead_accounts = sa.Table(
    "lead_accounts",
    metadata,
    sa.Column("lead_id", sa.String(LEAD), primary_key=True),
    sa.Column("account_id", sa.String(ACCOUNT), primary_key=True),
    sa.Column("tenant_id", sa.String(TENANT), nullable=False),
    sa.Column("add_us", sa.BigInteger(), nullable=False),
)
sa.Index(
    "ix_lead_accounts_tenant_account",
    lead_accounts.c.tenant_id,
    lead_accounts.c.account_id,
    lead_accounts.c.lead_id,
)

submissions = sa.Table(
    "submissions",
    metadata,
    sa.Column("id", sa.String(ID), primary_key=True),
    sa.Column("tenant_id", sa.String(TENANT), nullable=False),
    sa.Column("lead_id", sa.String(LEAD), nullable=False, server_default=""),
    sa.Column("account_id", sa.String(ACCOUNT), nullable=False),
    sa.Column("collect_account_id", sa.String(ACCOUNT), nullable=True),
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
    # 分机号 and the other numbers of a cell that held several (migration 0004). Personal data.
    sa.Column("phone_extension", sa.String(16), nullable=False, server_default=""),
    sa.Column("alternate_phones", sa.JSON(), nullable=False, server_default="[]"),
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
    sa.Column("duplicate_of_lead_id", sa.String(LEAD), nullable=False, server_default=""),
    sa.Column("returning_of_lead_id", sa.String(LEAD), nullable=False, server_default=""),
    sa.Column("submit_us", sa.BigInteger(), nullable=False),
    sa.Column("create_us", sa.BigInteger(), nullable=False),
    sa.UniqueConstraint("tenant_id", "request_id"),
)
_has_external_id = submissions.c.external_id != ""
sa.Index(
    "uq_submissions_tenant_external",
    submissions.c.tenant_id,
    submissions.c.account_id,
    submissions.c.channel,
    submissions.c.external_id,
    unique=True,
    sqlite_where=_has_external_id,
    postgresql_where=_has_external_id,
)
sa.Index(
    "ix_submissions_tenant_lead", submissions.c.tenant_id, submissions.c.lead_id, submissions.c.submit_us
)
# ListLeadSubmissions without a lead (an account's or a verdict's submissions, rejected ones included): migration 0003.
sa.Index("ix_submissions_tenant_submit", submissions.c.tenant_id, submissions.c.submit_us, submissions.c.id)
# EraseLead finds the REJECTED submissions of the lead's numbers (they belong to no lead): migration 0005. Partial, so
# accepted submissions, the hot path, do not maintain it. The predicate is a literal: SQLite uses a partial index only
# when the query's WHERE repeats it verbatim.
REJECTED_SUBMISSION = submissions.c.verdict == sa.literal_column("4")
sa.Index(
    "ix_submissions_rejected_phone",
    submissions.c.tenant_id,
    submissions.c.phone,
    sqlite_where=REJECTED_SUBMISSION,
    postgresql_where=REJECTED_SUBMISSION,
)

blocklist_entries = sa.Table(
    "blocklist_entries",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
    sa.Column("kind", sa.SmallInteger(), primary_key=True),
    sa.Column("value", sa.String(64), primary_key=True),
    sa.Column("note", sa.String(256), nullable=False, server_default=""),
    sa.Column("create_us", sa.BigInteger(), nullable=False),
)

dead_numbers = sa.Table(
    "dead_numbers",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
    sa.Column("phone", sa.String(32), primary_key=True),
    # The call outcome that proved it dead: EMPTY_NUMBER or SUSPENDED.
    sa.Column("reason", sa.String(32), nullable=False),
    sa.Column("lead_id", sa.String(LEAD), nullable=False, server_default=""),
    sa.Column("call_id", sa.String(128), nullable=False, server_default=""),
    sa.Column("create_us", sa.BigInteger(), nullable=False),
)

# One row per tenant that changed something, plus the default row (tenant_id "*") the migration inserts.
# blocklist_version changes whenever the tenant's blocklist is replaced, so replicas can cache compiled keyword
# matchers and still see every change on the next submission.
tenant_settings = sa.Table(
    "tenant_settings",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
    sa.Column("default_region", sa.String(2), nullable=False),
    sa.Column("landline_allowed", sa.Boolean(), nullable=False),
    sa.Column("phone_extension_allowed", sa.Boolean(), nullable=False, server_default=sa.true()),
    sa.Column("alternate_phones_kept", sa.Boolean(), nullable=False, server_default=sa.true()),
    sa.Column("blocklist_version", sa.BigInteger(), nullable=False, server_default="0"),
    sa.Column("update_us", sa.BigInteger(), nullable=False),
)

DEFAULT_SETTINGS_TENANT = "*"


# Push delivery (线索推送): push rules and deliveries, created by migration 0002.
push = push_tables(metadata)
