"""lead.erased on refund's in-memory fakes (the scenario of tests/refund/erasure_scenario.py): the ledger is the
same before and after."""

from __future__ import annotations

from services.refund.domain.ledger import imbalance
from tests.refund.erasure_scenario import erase_refunded_and_appealed_leads
from tests.refund.world import FakeWorld


def test_erasure_redacts_texts_and_keeps_the_money(world: FakeWorld, tenant: str) -> None:
    erase_refunded_and_appealed_leads(world, tenant)
    entries = [e for _, e in world.uow.ledger.rows]
    assert len(entries) == 4 and imbalance(entries) == {"CNY": 0}  # two refunds, both still in the ledger
