"""The refund tables: cases, call reports, rules, refunds, idempotency records, appeals, the ledger, and the
runtime's timers table.

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
        "refund_appeals",
        sa.Column("appeal_id", sa.String(length=26), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=26), nullable=False),
        sa.Column("lead_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=128), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.String(length=256), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("created_us", sa.BigInteger(), nullable=False),
        sa.Column("decided_by", sa.String(length=256), nullable=False),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("decided_us", sa.BigInteger(), nullable=True),
        sa.Column("refund_id", sa.String(length=26), nullable=True),
        sa.PrimaryKeyConstraint("appeal_id", name=op.f("pk_refund_appeals")),
    )
    op.create_index("ix_refund_appeals_tenant_case", "refund_appeals", ["tenant_id", "case_id"], unique=False)
    op.create_index(
        "ix_refund_appeals_tenant_created",
        "refund_appeals",
        ["tenant_id", "created_us", "appeal_id"],
        unique=False,
    )
    op.create_index(
        "uq_refund_appeals_pending",
        "refund_appeals",
        ["tenant_id", "case_id"],
        unique=True,
        sqlite_where=sa.text("state = 'PENDING'"),
        postgresql_where=sa.text("state = 'PENDING'"),
    )
    op.create_table(
        "refund_call_reports",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("call_id", sa.String(length=128), nullable=False),
        sa.Column("report_id", sa.String(length=128), nullable=False),
        sa.Column("lead_id", sa.String(length=128), nullable=False),
        sa.Column("start_us", sa.BigInteger(), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("ring_us", sa.BigInteger(), nullable=False),
        sa.Column("talk_us", sa.BigInteger(), nullable=False),
        sa.Column("reported_us", sa.BigInteger(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("window_start_minute", sa.SmallInteger(), nullable=True),
        sa.Column("window_end_minute", sa.SmallInteger(), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "call_id", "report_id", name=op.f("pk_refund_call_reports")),
    )
    op.create_index(
        "ix_refund_call_reports_tenant_lead", "refund_call_reports", ["tenant_id", "lead_id"], unique=False
    )
    op.create_table(
        "refund_cases",
        sa.Column("case_id", sa.String(length=26), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("lead_id", sa.String(length=128), nullable=False),
        sa.Column("submission_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("charge_fen", sa.BigInteger(), nullable=False),
        sa.Column("submit_us", sa.BigInteger(), nullable=False),
        sa.Column("opened_us", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("refund_reason", sa.String(length=32), nullable=True),
        sa.Column("rejection_reason", sa.String(length=32), nullable=True),
        sa.Column("decided_us", sa.BigInteger(), nullable=True),
        sa.Column("settle_us", sa.BigInteger(), nullable=True),
        sa.Column("next_change_us", sa.BigInteger(), nullable=True),
        sa.Column("closed_us", sa.BigInteger(), nullable=True),
        sa.Column("refund_id", sa.String(length=26), nullable=True),
        sa.Column("deciding_call_id", sa.String(length=128), nullable=True),
        sa.Column("updated_us", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("charge_fen > 0", name=op.f("ck_refund_cases_positive_charge")),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_refund_cases")),
        sa.UniqueConstraint(
            "tenant_id",
            "lead_id",
            "submission_id",
            name=op.f("uq_refund_cases_tenant_id_lead_id_submission_id"),
        ),
    )
    op.create_index(
        "ix_refund_cases_tenant_account", "refund_cases", ["tenant_id", "account_id", "case_id"], unique=False
    )
    op.create_index(
        "ix_refund_cases_tenant_opened", "refund_cases", ["tenant_id", "opened_us", "case_id"], unique=False
    )
    op.create_table(
        "refund_ledger_entries",
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("transaction_id", sa.String(length=26), nullable=False),
        sa.Column("ledger_account", sa.String(length=160), nullable=False),
        sa.Column("direction", sa.String(length=6), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.String(length=128), nullable=False),
        sa.Column("refund_id", sa.String(length=26), nullable=False),
        sa.Column("case_id", sa.String(length=26), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("posted_us", sa.BigInteger(), nullable=False),
        sa.Column("reverses_entry_id", sa.String(length=40), nullable=True),
        sa.CheckConstraint(
            "direction IN ('DEBIT', 'CREDIT')", name=op.f("ck_refund_ledger_entries_direction")
        ),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_refund_ledger_entries_positive_amount")),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_refund_ledger_entries")),
        sa.UniqueConstraint("reverses_entry_id", name=op.f("uq_refund_ledger_entries_reverses_entry_id")),
    )
    op.create_index("ix_refund_ledger_entries_refund", "refund_ledger_entries", ["refund_id"], unique=False)
    op.create_index(
        "ix_refund_ledger_entries_tenant_account",
        "refund_ledger_entries",
        ["tenant_id", "account_id", "posted_us"],
        unique=False,
    )
    op.create_index(
        "ix_refund_ledger_entries_tenant_posted",
        "refund_ledger_entries",
        ["tenant_id", "posted_us", "entry_id"],
        unique=False,
    )
    op.create_table(
        "refund_refunds",
        sa.Column("refund_id", sa.String(length=26), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=26), nullable=False),
        sa.Column("lead_id", sa.String(length=128), nullable=False),
        sa.Column("submission_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=128), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("charge_fen", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=80), nullable=False),
        sa.Column("created_us", sa.BigInteger(), nullable=False),
        sa.Column("ledger_transaction_id", sa.String(length=26), nullable=False),
        sa.Column("evidence_summary", sa.Text(), nullable=False),
        sa.Column("note", sa.String(length=256), nullable=False),
        sa.Column("appeal_id", sa.String(length=26), nullable=True),
        sa.CheckConstraint(
            "amount_fen > 0 AND amount_fen <= charge_fen", name=op.f("ck_refund_refunds_amount_within_charge")
        ),
        sa.PrimaryKeyConstraint("refund_id", name=op.f("pk_refund_refunds")),
        sa.UniqueConstraint("tenant_id", "case_id", name=op.f("uq_refund_refunds_tenant_id_case_id")),
        sa.UniqueConstraint(
            "tenant_id",
            "lead_id",
            "submission_id",
            name=op.f("uq_refund_refunds_tenant_id_lead_id_submission_id"),
        ),
    )
    op.create_index(
        "ix_refund_refunds_tenant_created",
        "refund_refunds",
        ["tenant_id", "created_us", "refund_id"],
        unique=False,
    )
    op.create_table(
        "refund_requests",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("operation", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("result_id", sa.String(length=26), nullable=False),
        sa.Column("created_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "operation", "request_id", name=op.f("pk_refund_requests")),
    )
    op.create_table(
        "refund_rules",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=128), nullable=False),
        sa.Column("overrides", sa.JSON(), nullable=False),
        sa.Column("update_us", sa.BigInteger(), nullable=False),
        sa.Column("updated_by", sa.String(length=256), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "account_id", name=op.f("pk_refund_rules")),
    )
    create_timers_table(op.get_bind())


def downgrade() -> None:
    drop_timers_table(op.get_bind())
    for table in (
        "refund_ledger_entries",
        "refund_appeals",
        "refund_requests",
        "refund_refunds",
        "refund_rules",
        "refund_call_reports",
        "refund_cases",
    ):
        op.drop_table(table)
