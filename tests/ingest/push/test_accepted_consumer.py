"""The lead.accepted consumer's handler (``consumers.consumer_specs``, durable ``ingest-push``) reads the account's
rule first: an account that pushes nothing never has its events opened (the sealed phone) nor turned into a payload;
an account that pushes gets its delivery, with the phone opened, exactly as before."""

from __future__ import annotations

from leadflow.ingest.v1 import events_pb2
from services.common.clock import FakeClock
from services.common.events import LEAD_ACCEPTED
from services.common.messaging import Delivery
from services.common.sealing import KeyRing, SealedValue, Sealer
from services.ingest.consumers import PUSH_CONSUMER, consumer_specs
from services.ingest.domain.push import DeliveryQuery
from services.ingest.handlers.events import EventHandlers
from tests.ingest.push.helpers import SEALER_KEYS, SyncPushHandlers, accepted, admin, set_rule


class CountingSealer(Sealer):
    """The tests' sealer, counting the values it opens."""

    def __init__(self) -> None:
        super().__init__(KeyRing.parse(SEALER_KEYS))
        self.opened = 0

    def open(self, tenant: str, purpose: str, sealed: SealedValue) -> str:
        self.opened += 1
        return super().open(tenant, purpose, sealed)


def _consume(handlers: SyncPushHandlers, sealer: Sealer, event: events_pb2.LeadAccepted) -> None:
    [spec] = [
        s
        for s in consumer_specs(EventHandlers(FakeClock()), handlers.push, sealer)
        if s.name == PUSH_CONSUMER
    ]
    delivery = Delivery(LEAD_ACCEPTED, event.event_id, event.SerializeToString(), {}, 1, 1)
    handlers.transactions.write_now(lambda uow: spec.handler(uow, delivery))


def _deliveries(handlers: SyncPushHandlers, account: str) -> list:  # type: ignore[type-arg]
    items, _ = handlers.list_push_deliveries(admin("tenant-a"), DeliveryQuery(account_id=account))
    return items


def test_an_account_without_a_rule_never_has_its_events_opened(handlers: SyncPushHandlers) -> None:
    set_rule(handlers, "http://127.0.0.1:9/hook", account="acct-pushing")
    sealer = CountingSealer()
    _consume(handlers, sealer, accepted(account="acct-silent"))
    assert sealer.opened == 0
    assert _deliveries(handlers, "acct-silent") == []


def test_a_disabled_rule_is_no_rule(handlers: SyncPushHandlers) -> None:
    set_rule(handlers, "http://127.0.0.1:9/hook", account="acct-off", enabled=False)
    sealer = CountingSealer()
    _consume(handlers, sealer, accepted(account="acct-off"))
    assert sealer.opened == 0
    assert _deliveries(handlers, "acct-off") == []


def test_an_account_with_a_rule_gets_its_delivery_with_the_phone(handlers: SyncPushHandlers) -> None:
    set_rule(handlers, "http://127.0.0.1:9/hook", account="acct-pushing")
    sealer = CountingSealer()
    event = accepted(account="acct-pushing")
    _consume(handlers, sealer, event)
    _consume(handlers, sealer, event)  # the same event again: still one delivery
    [delivery] = _deliveries(handlers, "acct-pushing")
    assert delivery.lead_id == event.lead_id and delivery.event_id == event.event_id
    assert delivery.payload["phone"] == "+8613800138000"
    assert sealer.opened == 2  # opened for each delivery of the event; the second found it scheduled
