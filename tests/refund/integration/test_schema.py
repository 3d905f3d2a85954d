"""The migrations build exactly the schema tables.py declares, and the invariants the issue puts in the database are
refused by the database itself (not only by the code in front of it)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services.common.db import Database
from services.refund.adapters.db.tables import metadata, refund_appeals, refund_ledger_entries, refund_refunds
from tests.refund.events import unique


def _ours(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return table is None or str(table.name).startswith("refund_") or str(table.name) == "timers"


def test_migrations_match_the_declared_tables(refund_database: Database) -> None:
    with refund_database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": _ours})
        differences = compare_metadata(context, metadata)
    assert differences == []


def _refund(tenant: str, **changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "refund_id": unique("r"),
        "tenant_id": tenant,
        "case_id": "case-1",
        "lead_id": "lead-1",
        "submission_id": "sub-1",
        "account_id": "acct-1",
        "currency": "CNY",
        "amount_fen": 5_000,
        "charge_fen": 5_000,
        "reason": "EMPTY_NUMBER",
        "request_id": "settle:case-1",
        "created_us": 0,
        "ledger_transaction_id": "tx",
        "evidence_summary": "",
        "note": "",
        "appeal_id": None,
    }
    return row | changes


def _refused(database: Database, table: sa.Table, *rows: dict[str, object]) -> bool:
    try:
        with database.transaction() as session:
            session.execute(sa.insert(table), list(rows))
    except sa.exc.IntegrityError:
        return True
    return False


def test_one_refund_per_charge_is_enforced_by_the_database(refund_database: Database) -> None:
    tenant = unique("schema")
    assert not _refused(refund_database, refund_refunds, _refund(tenant))
    # The same case again, and the same charged submission under another case id: both refused.
    assert _refused(refund_database, refund_refunds, _refund(tenant))
    assert _refused(refund_database, refund_refunds, _refund(tenant, case_id="case-2"))
    # Another tenant's case of the same ids is its own charge.
    assert not _refused(refund_database, refund_refunds, _refund(unique("schema")))


@pytest.mark.parametrize(
    ("amount", "refused"), [(0, True), (-1, True), (5_001, True), (1, False), (5_000, False)]
)
def test_a_refund_is_positive_and_at_most_its_charge(
    refund_database: Database, amount: int, refused: bool
) -> None:
    row = _refund(unique("schema"), amount_fen=amount)
    assert _refused(refund_database, refund_refunds, row) is refused


def test_a_case_has_at_most_one_pending_appeal(refund_database: Database) -> None:
    tenant = unique("schema")

    def appeal(state: str) -> dict[str, object]:
        return {
            "appeal_id": unique("a"),
            "tenant_id": tenant,
            "case_id": "case-1",
            "lead_id": "lead-1",
            "account_id": "acct-1",
            "reason": "called at night",
            "state": state,
            "requested_by": "u",
            "request_id": unique("req"),
            "created_us": 0,
            "decided_by": "",
            "decision_note": "",
            "decided_us": None,
            "refund_id": None,
        }

    assert not _refused(
        refund_database, refund_appeals, appeal("DENIED"), appeal("DENIED"), appeal("PENDING")
    )
    assert _refused(refund_database, refund_appeals, appeal("PENDING"))


def test_ledger_entries_are_positive_and_reversed_at_most_once(refund_database: Database) -> None:
    tenant = unique("schema")

    def entry(**changes: object) -> dict[str, object]:
        row: dict[str, object] = {
            "entry_id": unique("e"),
            "tenant_id": tenant,
            "transaction_id": "tx",
            "ledger_account": "platform:refund_expense",
            "direction": "DEBIT",
            "currency": "CNY",
            "amount_fen": 100,
            "account_id": "acct-1",
            "refund_id": "r",
            "case_id": "c",
            "reason": "MANUAL",
            "posted_us": 0,
            "reverses_entry_id": None,
        }
        return row | changes

    original = entry()
    assert not _refused(refund_database, refund_ledger_entries, original)
    assert _refused(refund_database, refund_ledger_entries, entry(amount_fen=0))
    assert _refused(refund_database, refund_ledger_entries, entry(direction="DEBT"))
    reversal = entry(direction="CREDIT", reverses_entry_id=original["entry_id"])
    assert not _refused(refund_database, refund_ledger_entries, reversal)
    assert _refused(
        refund_database,
        refund_ledger_entries,
        entry(direction="CREDIT", reverses_entry_id=original["entry_id"]),
    )
