"""The refund datastore schema: cases, call reports, rules, refunds, idempotency records, appeals, the ledger, the
runtime's timers table and the shared messaging tables (outbox for refund.issued and refund.rejected).

The invariants live here as constraints, not as reads followed by writes:

- one case per charge: ``uq_refund_cases_tenant_id_lead_id_submission_id``;
- the writers of one lead take turns: each write path locks the lead's row in ``refund_lead_locks`` before it reads
  the lead (a charge being added has no case row yet for anyone else to lock);
- one refund per charge, ever: ``uq_refund_refunds_tenant_id_case_id`` and, per charged submission,
  ``uq_refund_refunds_tenant_id_lead_id_submission_id``; a refund's amount is positive and at most the charge it
  refunds (``ck_refund_refunds_amount_within_charge``), so a lead's refunds never exceed its charges;
- at most one PENDING appeal per case: the partial unique index ``uq_refund_appeals_pending``;
- the ledger is insert only (no code path updates or deletes it), entries are positive, and an entry is reversed at
  most once (``uq_refund_ledger_entries_reverses_entry_id``).

No column holds personal data: leads, calls and accounts appear by id only. Times are integer microseconds since the
Unix epoch (UTC), amounts integer fen.
"""

from __future__ import annotations

import sqlalchemy as sa

from services.common.db import new_metadata
from services.common.messaging import messaging_tables
from services.common.timerstore import timers_table

TENANT = 64
ID = 128  # lead, submission, call, account ids as other services send them
ULID = 26
REASON = 32

metadata = new_metadata()
messaging = messaging_tables(metadata)
timers = timers_table(metadata)

refund_cases = sa.Table(
    "refund_cases",
    metadata,
    sa.Column("case_id", sa.String(ULID), primary_key=True),
    sa.Column("tenant_id", sa.String(TENANT), nullable=False),
    sa.Column("lead_id", sa.String(ID), nullable=False),
    sa.Column("submission_id", sa.String(ID), nullable=False),
    sa.Column("account_id", sa.String(ID), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("charge_fen", sa.BigInteger(), nullable=False),
    sa.Column("submit_us", sa.BigInteger(), nullable=False),
    sa.Column("opened_us", sa.BigInteger(), nullable=False),
    # The standing at the latest evaluation (for filters and the timer); for a closed case, its closure.
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("refund_reason", sa.String(REASON), nullable=True),
    sa.Column("rejection_reason", sa.String(REASON), nullable=True),
    sa.Column("decided_us", sa.BigInteger(), nullable=True),
    sa.Column("settle_us", sa.BigInteger(), nullable=True),
    sa.Column("next_change_us", sa.BigInteger(), nullable=True),
    # Set once the case is closed.
    sa.Column("closed_us", sa.BigInteger(), nullable=True),
    sa.Column("refund_id", sa.String(ULID), nullable=True),
    sa.Column("deciding_call_id", sa.String(ID), nullable=True),
    sa.Column("updated_us", sa.BigInteger(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.UniqueConstraint("tenant_id", "lead_id", "submission_id"),
    sa.CheckConstraint("charge_fen > 0", name="positive_charge"),
)
# One row per lead that had a write path, locked (SELECT ... FOR UPDATE on PostgreSQL) by every write path of the
# lead before it reads the lead's cases and calls: two charges of one person, or a charge and a call report, on two
# replicas at once would otherwise each miss the other's uncommitted row and both judge their charge the first.
# SQLite needs no row: its writers are serial.
refund_lead_locks = sa.Table(
    "refund_lead_locks",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
    sa.Column("lead_id", sa.String(ID), primary_key=True),
)

sa.Index(
    "ix_refund_cases_tenant_opened",
    refund_cases.c.tenant_id,
    refund_cases.c.opened_us,
    refund_cases.c.case_id,
)
sa.Index(
    "ix_refund_cases_tenant_account",
    refund_cases.c.tenant_id,
    refund_cases.c.account_id,
    refund_cases.c.case_id,
)

refund_call_reports = sa.Table(
    "refund_call_reports",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
    sa.Column("call_id", sa.String(ID), primary_key=True),
    sa.Column("report_id", sa.String(ID), primary_key=True),
    sa.Column("lead_id", sa.String(ID), nullable=False),
    sa.Column("start_us", sa.BigInteger(), nullable=False),
    sa.Column("outcome", sa.String(24), nullable=False),
    sa.Column("ring_us", sa.BigInteger(), nullable=False),
    sa.Column("talk_us", sa.BigInteger(), nullable=False),
    sa.Column("reported_us", sa.BigInteger(), nullable=True),
    sa.Column("revision", sa.Integer(), nullable=False),
    # The callable window telephony enforced for the call, when the report carried it.
    sa.Column("window_start_minute", sa.SmallInteger(), nullable=True),
    sa.Column("window_end_minute", sa.SmallInteger(), nullable=True),
    sa.Column("time_zone", sa.String(64), nullable=True),
)
sa.Index("ix_refund_call_reports_tenant_lead", refund_call_reports.c.tenant_id, refund_call_reports.c.lead_id)

refund_rules = sa.Table(
    "refund_rules",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
    sa.Column("account_id", sa.String(ID), primary_key=True),
    # Only the fields the account set; durations in microseconds.
    sa.Column("overrides", sa.JSON(), nullable=False),
    sa.Column("update_us", sa.BigInteger(), nullable=False),
    sa.Column("updated_by", sa.String(256), nullable=False),
)

# Telephony's callable hours per tenant, from ``telephony.callable_hours_changed``: the window leads no call has
# reported one for are judged by (the latest change wins, by its change time).
refund_callable_hours = sa.Table(
    "refund_callable_hours",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
    sa.Column("start_minute", sa.Integer(), nullable=False),
    sa.Column("end_minute", sa.Integer(), nullable=False),
    sa.Column("time_zone", sa.String(64), nullable=False),
    sa.Column("change_us", sa.BigInteger(), nullable=False),
)

refund_refunds = sa.Table(
    "refund_refunds",
    metadata,
    sa.Column("refund_id", sa.String(ULID), primary_key=True),
    sa.Column("tenant_id", sa.String(TENANT), nullable=False),
    sa.Column("case_id", sa.String(ULID), nullable=False),
    sa.Column("lead_id", sa.String(ID), nullable=False),
    sa.Column("submission_id", sa.String(ID), nullable=False),
    sa.Column("account_id", sa.String(ID), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("amount_fen", sa.BigInteger(), nullable=False),
    sa.Column("charge_fen", sa.BigInteger(), nullable=False),
    sa.Column("reason", sa.String(REASON), nullable=False),
    sa.Column("request_id", sa.String(80), nullable=False),
    sa.Column("created_us", sa.BigInteger(), nullable=False),
    sa.Column("ledger_transaction_id", sa.String(ULID), nullable=False),
    sa.Column("evidence_summary", sa.Text(), nullable=False),
    sa.Column("note", sa.String(256), nullable=False),
    sa.Column("appeal_id", sa.String(ULID), nullable=True),
    sa.UniqueConstraint("tenant_id", "case_id"),
    sa.UniqueConstraint("tenant_id", "lead_id", "submission_id"),
    sa.CheckConstraint("amount_fen > 0 AND amount_fen <= charge_fen", name="amount_within_charge"),
)
sa.Index(
    "ix_refund_refunds_tenant_created",
    refund_refunds.c.tenant_id,
    refund_refunds.c.created_us,
    refund_refunds.c.refund_id,
)

refund_requests = sa.Table(
    "refund_requests",
    metadata,
    sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
    sa.Column("operation", sa.String(32), primary_key=True),
    sa.Column("request_id", sa.String(64), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("result_id", sa.String(ULID), nullable=False),
    sa.Column("created_us", sa.BigInteger(), nullable=False),
)

refund_appeals = sa.Table(
    "refund_appeals",
    metadata,
    sa.Column("appeal_id", sa.String(ULID), primary_key=True),
    sa.Column("tenant_id", sa.String(TENANT), nullable=False),
    sa.Column("case_id", sa.String(ULID), nullable=False),
    sa.Column("lead_id", sa.String(ID), nullable=False),
    sa.Column("account_id", sa.String(ID), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("requested_by", sa.String(256), nullable=False),
    sa.Column("request_id", sa.String(64), nullable=False),
    sa.Column("created_us", sa.BigInteger(), nullable=False),
    sa.Column("decided_by", sa.String(256), nullable=False),
    sa.Column("decision_note", sa.Text(), nullable=False),
    sa.Column("decided_us", sa.BigInteger(), nullable=True),
    sa.Column("refund_id", sa.String(ULID), nullable=True),
)
_PENDING = sa.text("state = 'PENDING'")
sa.Index(
    "uq_refund_appeals_pending",
    refund_appeals.c.tenant_id,
    refund_appeals.c.case_id,
    unique=True,
    sqlite_where=_PENDING,
    postgresql_where=_PENDING,
)
sa.Index(
    "ix_refund_appeals_tenant_created",
    refund_appeals.c.tenant_id,
    refund_appeals.c.created_us,
    refund_appeals.c.appeal_id,
)
sa.Index("ix_refund_appeals_tenant_case", refund_appeals.c.tenant_id, refund_appeals.c.case_id)

refund_ledger_entries = sa.Table(
    "refund_ledger_entries",
    metadata,
    sa.Column("entry_id", sa.String(40), primary_key=True),
    sa.Column("tenant_id", sa.String(TENANT), nullable=False),
    sa.Column("transaction_id", sa.String(ULID), nullable=False),
    sa.Column("ledger_account", sa.String(160), nullable=False),
    sa.Column("direction", sa.String(6), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("amount_fen", sa.BigInteger(), nullable=False),
    sa.Column("account_id", sa.String(ID), nullable=False),
    sa.Column("refund_id", sa.String(ULID), nullable=False),
    sa.Column("case_id", sa.String(ULID), nullable=False),
    sa.Column("reason", sa.String(REASON), nullable=False),
    sa.Column("posted_us", sa.BigInteger(), nullable=False),
    sa.Column("reverses_entry_id", sa.String(40), nullable=True),
    sa.UniqueConstraint("reverses_entry_id"),
    sa.CheckConstraint("amount_fen > 0", name="positive_amount"),
    sa.CheckConstraint("direction IN ('DEBIT', 'CREDIT')", name="direction"),
)
sa.Index(
    "ix_refund_ledger_entries_tenant_posted",
    refund_ledger_entries.c.tenant_id,
    refund_ledger_entries.c.posted_us,
    refund_ledger_entries.c.entry_id,
)
# The ledger check's range reads (handlers.ledger_check): every tenant's entries posted lately.
sa.Index("ix_refund_ledger_entries_posted", refund_ledger_entries.c.posted_us)
sa.Index(
    "ix_refund_ledger_entries_tenant_account",
    refund_ledger_entries.c.tenant_id,
    refund_ledger_entries.c.account_id,
    refund_ledger_entries.c.posted_us,
)
sa.Index("ix_refund_ledger_entries_refund", refund_ledger_entries.c.refund_id)
