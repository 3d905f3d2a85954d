"""lead.erased on refund's real store (SQLite and PostgreSQL): the scenario of tests/refund/erasure_scenario.py,
then no row of the erased leads holds the number or the e-mail; the other lead's refund still does."""

from __future__ import annotations

from services.refund.adapters.db.tables import metadata
from tests.common.personal_data import mobile_forms, rows_holding
from tests.refund.erasure_scenario import erase_refunded_and_appealed_leads
from tests.refund.world import SqlWorld


def test_erasure_on_the_store(world: SqlWorld, tenant: str) -> None:
    erase_refunded_and_appealed_leads(world, tenant)
    values = [*mobile_forms("13800138000"), "zs@example.com"]
    # Only the untouched lead's refund note still holds them (the positive control of the scan).
    assert rows_holding(world.database, metadata, values, tenant=tenant) == [("refund_refunds", "note")]
