"""The lock order of consumer batches and timer rounds (``ConsumerSpec.order_key``, ``TimerSpec.order_key``): every
event that names a lead gives its "<tenant>\\x00<lead>" key, and the consumers and timers whose handlers lock or
write a lead's row are ordered by it, in every service that has them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from services.common.events import lead_key, payload_types
from services.common.messaging import Delivery
from services.common.runtime import by_lead
from services.common.timers import Timer
from services.ingest import consumers as ingest_consumers
from services.refund import consumers as refund_consumers
from services.refund import workers as refund_workers
from services.refund.domain.ports import CASE_TIMER
from services.telephony import consumers as telephony_consumers

NAMING_A_LEAD = sorted(
    subject for subject, kind in payload_types().items() if "lead_id" in kind.DESCRIPTOR.fields_by_name
)
NAMING_NO_LEAD = sorted(set(payload_types()) - set(NAMING_A_LEAD))


@pytest.mark.parametrize("subject", NAMING_A_LEAD)
def test_an_event_naming_a_lead_gives_its_tenant_and_lead(subject: str) -> None:
    message = payload_types()[subject](tenant_id="tenant-b", lead_id="01LEAD")
    assert lead_key(subject, message.SerializeToString()) == "tenant-b\x0001LEAD"
    delivery = Delivery(subject, "e1", message.SerializeToString(), {}, 1, 1)
    assert by_lead(delivery) == "tenant-b\x0001LEAD"


@pytest.mark.parametrize("subject", NAMING_NO_LEAD)
def test_an_event_naming_no_lead_has_no_key(subject: str) -> None:
    with pytest.raises(AttributeError):
        lead_key(subject, payload_types()[subject](tenant_id="t").SerializeToString())


def test_an_unknown_subject_has_no_key() -> None:
    with pytest.raises(KeyError):
        lead_key("leadflow.nothing.v1.here", b"")


def _ordered(specs: list[Any]) -> dict[str, bool]:
    return {spec.name: spec.order_key is by_lead for spec in specs}


def test_the_consumers_that_lock_a_lead_apply_their_batches_in_lead_order() -> None:
    assert _ordered(refund_consumers.consumer_specs(None, None)) == {  # type: ignore[arg-type]
        "refund-charges": True,
        "refund-calls": True,
        "refund-callable-hours": False,  # the tenant's hours: no lead
        "refund-lead-erased": True,
    }
    assert _ordered(telephony_consumers.consumer_specs(None, None, None)) == {  # type: ignore[arg-type]
        "telephony-lead-accepted": True,
        "telephony-lead-erased": True,
        "telephony-lead-assigned": True,
        "telephony-agents": False,  # agents, not leads
    }
    assert _ordered(ingest_consumers.consumer_specs(None, None, None)) == {  # type: ignore[arg-type]
        "ingest-refund-issued": True,
        "ingest-call-completed": True,
        "ingest-lead-assigned": True,
        "ingest-lead-status-changed": True,
        ingest_consumers.PUSH_CONSUMER: False,  # inserts a delivery per event: nothing shared to lock
    }


def test_refund_case_timers_fire_in_lead_order() -> None:
    timers = refund_workers.timer_set(sa.Table("t", sa.MetaData()), None, None)  # type: ignore[arg-type]
    [case] = [spec for spec in timers.specs if spec.kind == CASE_TIMER]
    assert case.order_key is not None
    timer = Timer(CASE_TIMER, "k", "tenant-b", datetime(2026, 12, 1, tzinfo=UTC), {"lead_id": "01LEAD"})
    assert case.order_key(timer) == "tenant-b\x0001LEAD"
