"""Converters: every domain enum maps to its proto value and back, events decode to the values the handlers take
(corrections, ring time from the call's times, unknown outcomes), and the callable window telephony reports is read
once its contract carries it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from leadflow.common.v1 import call_pb2
from leadflow.refund.v1 import refund_service_pb2 as pb
from leadflow.telephony.v1 import events_pb2 as telephony_events
from services.common.protoconv import timestamp
from services.refund.converters import events as event_converters
from services.refund.converters.values import domain_enum, enum_number
from services.refund.domain.appeals import AppealDecision, AppealState
from services.refund.domain.attempts import NotCounted
from services.refund.domain.calls import CallOutcome
from services.refund.domain.cases import CaseState, ChargeKind, RefundReason, RejectionReason
from services.refund.domain.evaluation import RequirementKind
from services.refund.domain.ledger import Direction
from tests.refund.events import call_completed, lead_accepted, lead_duplicate
from tests.refund.unit.builders import at

ENUMS = [
    (CaseState, pb.CaseState, "CASE_STATE_"),
    (RefundReason, pb.RefundReason, "REFUND_REASON_"),
    (RejectionReason, pb.RefundRejectionReason, "REFUND_REJECTION_REASON_"),
    (ChargeKind, pb.ChargeKind, "CHARGE_KIND_"),
    (NotCounted, pb.AttemptExclusion, "ATTEMPT_EXCLUSION_"),
    (RequirementKind, pb.RequirementKind, "REQUIREMENT_KIND_"),
    (AppealState, pb.AppealState, "APPEAL_STATE_"),
    (AppealDecision, pb.AppealDecision, "APPEAL_DECISION_"),
    (Direction, pb.LedgerDirection, "LEDGER_DIRECTION_"),
    (CallOutcome, call_pb2.CallOutcome, "CALL_OUTCOME_"),
]


@pytest.mark.parametrize(("domain", "proto", "prefix"), ENUMS, ids=[e[0].__name__ for e in ENUMS])
def test_every_domain_enum_member_has_its_proto_value_and_back(domain, proto, prefix) -> None:  # type: ignore[no-untyped-def]
    for member in domain:
        number = enum_number(proto, prefix, member)
        if member.value != "UNSPECIFIED":
            assert number != 0 and domain_enum(domain, proto, prefix, number, "f") is member
    names = {name.removeprefix(prefix) for name in proto.keys()} - {"UNSPECIFIED"}
    assert names <= {m.value for m in domain}, "a proto value the domain does not know"


def test_charges_decode_with_their_kind_and_cost() -> None:
    accepted = event_converters.lead_accepted(lead_accepted("t", "l1", at(2, 10, 0), cost_fen=12_34).data)
    assert (accepted.kind, accepted.cost.fen, accepted.submit_time) == (ChargeKind.LEAD, 1_234, at(2, 10, 0))  # type: ignore[union-attr]
    free = event_converters.lead_accepted(lead_accepted("t", "l1", at(2, 10, 0), cost_fen=None).data)
    assert free.cost is None and free.charge() is None
    duplicate = event_converters.lead_duplicate(lead_duplicate("t", "l1", "s2", at(2, 11, 0)).data)
    assert (duplicate.kind, duplicate.submission_id) == (ChargeKind.DUPLICATE, "s2")


def test_a_call_report_keeps_its_revision_and_reads_ring_time_from_the_calls_times() -> None:
    event = telephony_events.CallCompleted.FromString(
        call_completed(
            "t", "l1", "c1", at(2, 10, 5), CallOutcome.CALLER_CANCELLED, ring_seconds=0, revision=2
        ).data
    )
    event.ring_time.CopyFrom(timestamp(at(2, 10, 5, 2)))
    event.release_time.CopyFrom(timestamp(at(2, 10, 5, 14)))
    report = event_converters.call_reported(event)
    assert (report.tenant_id, report.call.revision, report.call.ring_duration) == (
        "t",
        2,
        timedelta(seconds=12),
    )
    assert report.call.window is None  # the contract carries no callable window yet


def test_an_outcome_newer_than_this_code_is_unknown_and_a_call_without_start_is_refused() -> None:
    event = telephony_events.CallCompleted.FromString(
        call_completed("t", "l1", "c1", at(2, 10, 5), CallOutcome.BUSY).data
    )
    event.outcome = 99  # type: ignore[assignment]
    assert event_converters.call_reported(event).call.outcome is CallOutcome.UNKNOWN
    event.ClearField("start_time")
    with pytest.raises(ValueError, match="start_time"):
        event_converters.call_reported(event)


def test_the_callable_window_telephony_reports_is_read_from_call_completed() -> None:
    event = telephony_events.CallCompleted()
    assert event_converters.reported_window(event) is None
    event.callable_hours.start.hours, event.callable_hours.end.hours = 7, 23
    event.time_zone = "Asia/Urumqi"
    window = event_converters.reported_window(event)
    assert window is not None and str(window) == "07:00-23:00 Asia/Urumqi"
    event.time_zone = "Not/AZone"
    assert (
        event_converters.reported_window(event) is None
    )  # refused by the domain: the default applies instead
