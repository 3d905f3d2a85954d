"""The refund service end to end from outside: real events on the producers' streams, the gRPC API, the timers on
the service's (fake) clock, refund.issued on refund's stream, metrics on its metrics port."""

from __future__ import annotations

import urllib.request
from datetime import timedelta

import nats
from nats.js.api import ConsumerConfig, DeliverPolicy

from leadflow.refund.v1 import events_pb2
from leadflow.refund.v1 import refund_service_pb2 as pb
from services.common.auth import Role
from services.common.events import REFUND_ISSUED, REFUND_REJECTED, REFUND_STREAM
from services.refund.domain.calls import CallOutcome
from tests.refund.api.conftest import RefundClient
from tests.refund.events import call_completed, callable_hours_changed, lead_accepted, unique
from tests.refund.unit.builders import at


async def refund_events(client: RefundClient, subject: str, count: int) -> list[bytes]:
    nc = await nats.connect(client.nats_url)
    try:
        js = nc.jetstream()
        sub = await js.pull_subscribe(
            subject,
            durable=None,
            stream=REFUND_STREAM.name,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL),
        )
        messages = await sub.fetch(count, timeout=10)
        return [m.data for m in messages]
    finally:
        await nc.close()


def metric(client: RefundClient, name: str) -> float:
    body = urllib.request.urlopen(f"http://127.0.0.1:{client.running.metrics_port}/metrics", timeout=5).read()
    total = 0.0
    for line in body.decode().splitlines():
        if line.startswith(name) and not line.startswith("#"):
            total += float(line.rsplit(" ", 1)[1])
    return total


async def test_an_empty_number_is_paid_after_settling_once_with_its_evidence(refund: RefundClient) -> None:
    tenant, lead = unique("tenant"), unique("lead")
    md = refund.auth(tenant)
    # Counters are per process and other tests in it count too: compare with the values before.
    names = (
        "leadflow_refund_refunds_total{",
        'leadflow_refund_refunded_amount_fen_total{currency="CNY",reason="EMPTY_NUMBER"}',
        "leadflow_refund_cases_opened_total",
        "leadflow_refund_cases_evaluated_total",
    )
    before = {name: metric(refund, name) for name in names}
    refund.clock.set(at(2, 10, 10))
    accepted = lead_accepted(tenant, lead, at(2, 10, 0))
    empty = call_completed(tenant, lead, "c1", at(2, 10, 5), CallOutcome.EMPTY_NUMBER)
    await refund.publish(empty, accepted, accepted, empty)

    def probe():  # type: ignore[no-untyped-def]
        return refund.stub.GetEligibility(pb.GetEligibilityRequest(lead_id=lead), metadata=md)

    eligible = (await refund.eventually(probe, lambda r: len(r.case.calls) == 1)).case
    assert eligible.state == pb.CASE_STATE_ELIGIBLE and eligible.reason == pb.REFUND_REASON_EMPTY_NUMBER
    assert eligible.calls[0].decisive and eligible.calls[0].counted_as_attempt
    assert eligible.missing[0].kind == pb.REQUIREMENT_KIND_SETTLING
    assert eligible.missing[0].description == "paid after the settling period at 16:05"
    assert (eligible.time_zone, eligible.callable_hours.start.hours, eligible.callable_hours.end.hours) == (
        "Asia/Shanghai",
        8,
        21,
    )
    assert eligible.charge.units == 50 and eligible.charge_kind == pb.CHARGE_KIND_LEAD

    await refund.advance(timedelta(hours=6))
    paid = (await refund.eventually(probe, lambda r: r.case.state == pb.CASE_STATE_REFUNDED)).case
    got = await refund.stub.GetRefund(pb.GetRefundRequest(refund_id=paid.refund_id), metadata=md)
    assert (got.refund.reason, got.refund.amount.units, got.refund.request_id) == (
        pb.REFUND_REASON_EMPTY_NUMBER,
        50,
        f"settle:{paid.id}",
    )
    [issued_data] = await refund_events(refund, REFUND_ISSUED, 1)
    issued = events_pb2.RefundIssued.FromString(issued_data)
    assert (issued.tenant_id, issued.lead_id, issued.refund_id, issued.reason) == (
        tenant,
        lead,
        paid.refund_id,
        pb.REFUND_REASON_EMPTY_NUMBER,
    )
    assert "empty number" in issued.evidence_summary

    entries = (await refund.stub.ListLedgerEntries(pb.ListLedgerEntriesRequest(), metadata=md)).entries
    assert sorted((e.ledger_account, e.direction) for e in entries) == [
        ("advertiser:acct-1:refunds", pb.LEDGER_DIRECTION_CREDIT),
        ("platform:refund_expense", pb.LEDGER_DIRECTION_DEBIT),
    ]
    statement = (
        await refund.stub.GetStatement(
            pb.GetStatementRequest(account_id="acct-1", year=2026, month=3), metadata=md
        )
    ).statement
    assert [(line.reason, line.refund_count, line.amount.units) for line in statement.lines] == [
        (pb.REFUND_REASON_EMPTY_NUMBER, 1, 50)
    ]
    grown = {name: metric(refund, name) - before[name] for name in names}
    assert list(grown.values())[:3] == [1, 5000, 1]
    assert grown["leadflow_refund_cases_evaluated_total"] >= 2

    async def balanced():  # type: ignore[no-untyped-def]
        return metric(refund, 'leadflow_refund_ledger_imbalance_fen{currency="CNY"}')

    assert await refund.eventually(balanced, lambda value: value == 0) == 0


async def test_a_reached_lead_is_rejected_appealed_and_paid_through_the_appeal(refund: RefundClient) -> None:
    tenant, lead = unique("tenant"), unique("lead")
    md = refund.auth(tenant)
    refund.clock.set(at(2, 10, 10))
    await refund.publish(
        lead_accepted(tenant, lead, at(2, 10, 0)),
        call_completed(tenant, lead, "c1", at(2, 10, 5), CallOutcome.ANSWERED, talk_seconds=45),
    )

    def probe():  # type: ignore[no-untyped-def]
        return refund.stub.GetEligibility(pb.GetEligibilityRequest(lead_id=lead), metadata=md)

    await refund.eventually(probe, lambda r: r.case.state == pb.CASE_STATE_NOT_REFUNDABLE)
    await refund.advance(timedelta(hours=6))
    closed = (
        await refund.eventually(
            probe, lambda r: not r.case.missing and r.case.state == pb.CASE_STATE_NOT_REFUNDABLE
        )
    ).case
    assert closed.rejection_reason == pb.REFUND_REJECTION_REASON_ANSWERED
    [rejected_data] = await refund_events(refund, REFUND_REJECTED, 1)
    assert events_pb2.RefundRejected.FromString(rejected_data).case_id == closed.id

    appeal = (
        await refund.stub.AppealCase(
            pb.AppealCaseRequest(
                case_id=closed.id, reason="the 45 s call was a wrong number", request_id="ap-1"
            ),
            metadata=refund.auth(tenant, Role.AGENT),
        )
    ).appeal
    decided = await refund.stub.DecideAppeal(
        pb.DecideAppealRequest(appeal_id=appeal.id, decision=pb.APPEAL_DECISION_APPROVE, request_id="d-1"),
        metadata=md,
    )
    assert decided.appeal.state == pb.APPEAL_STATE_APPROVED
    assert decided.refund.reason == pb.REFUND_REASON_APPEAL_APPROVED and decided.refund.appeal_id == appeal.id
    again = await refund.stub.DecideAppeal(
        pb.DecideAppealRequest(appeal_id=appeal.id, decision=pb.APPEAL_DECISION_APPROVE, request_id="d-1"),
        metadata=md,
    )
    assert again.refund.id == decided.refund.id
    refunds = (await refund.stub.ListRefunds(pb.ListRefundsRequest(lead_id=lead), metadata=md)).refunds
    assert [r.id for r in refunds] == [decided.refund.id]
    listed = await refund.stub.ListAppeals(pb.ListAppealsRequest(state=pb.APPEAL_STATE_APPROVED), metadata=md)
    assert [a.id for a in listed.appeals] == [appeal.id]
    cases = await refund.stub.ListCases(pb.ListCasesRequest(state=pb.CASE_STATE_REFUNDED), metadata=md)
    assert [c.id for c in cases.cases] == [closed.id] and cases.total_size == 1


async def test_rules_are_read_and_changed_by_field_mask(refund: RefundClient) -> None:
    from google.protobuf import duration_pb2, field_mask_pb2

    tenant = unique("tenant")
    md = refund.auth(tenant)
    defaults = (
        await refund.stub.GetRefundRules(pb.GetRefundRulesRequest(account_id="a1"), metadata=md)
    ).rules
    assert (defaults.min_attempts, defaults.min_talk_duration.seconds, defaults.settling_period.seconds) == (
        3,
        10,
        6 * 3600,
    )
    assert defaults.refund_duplicate_charges and not defaults.HasField("update_time")
    updated = (
        await refund.stub.UpdateRefundRules(
            pb.UpdateRefundRulesRequest(
                rules=pb.RefundRules(
                    account_id="a1", min_attempts=4, settling_period=duration_pb2.Duration(seconds=3600)
                ),
                update_mask=field_mask_pb2.FieldMask(paths=["min_attempts", "settling_period"]),
            ),
            metadata=refund.auth(tenant, Role.ADMIN, "boss"),
        )
    ).rules
    assert (updated.min_attempts, updated.settling_period.seconds, updated.updated_by) == (4, 3600, "boss")
    again = (await refund.stub.GetRefundRules(pb.GetRefundRulesRequest(account_id="a1"), metadata=md)).rules
    assert again == updated


async def test_a_lead_not_yet_called_is_judged_by_the_callable_hours_telephony_announced(
    refund: RefundClient,
) -> None:
    """Before any call reports the window telephony enforced, the tenant's hours telephony announced apply (09:00-21:00
    here, not the default 08:00-21:00): a lead submitted at 22:00 gets 12 callable hours from 09:00 the next day, to
    21:00, not to 20:00. The latest change wins by its own time, whatever order the events arrive in."""
    tenant, lead, other = unique("tenant"), unique("lead"), unique("lead")
    md = refund.auth(tenant)
    refund.clock.set(at(2, 22, 5))
    await refund.publish(
        callable_hours_changed(tenant, 9, 21, at(1, 12, 0)),
        callable_hours_changed(tenant, 10, 20, at(1, 11, 0)),  # an older change, arriving late: ignored
        lead_accepted(tenant, lead, at(2, 22, 0)),
    )

    def probe():  # type: ignore[no-untyped-def]
        return refund.stub.GetEligibility(pb.GetEligibilityRequest(lead_id=lead), metadata=md)

    case = (await refund.eventually(probe, lambda r: r.case.callable_hours.start.hours == 9)).case
    assert (case.callable_hours.start.hours, case.callable_hours.end.hours, case.time_zone) == (
        9,
        21,
        "Asia/Shanghai",
    )
    first_attempt = next(m for m in case.missing if m.kind == pb.REQUIREMENT_KIND_FIRST_ATTEMPT)
    assert "21:00" in first_attempt.description, first_attempt.description

    # Another tenant announced nothing: telephony's default applies there.
    elsewhere = unique("tenant")
    await refund.publish(lead_accepted(elsewhere, other, at(2, 22, 0)))
    default = (
        await refund.eventually(
            lambda: refund.stub.GetEligibility(
                pb.GetEligibilityRequest(lead_id=other), metadata=refund.auth(elsewhere)
            ),
            lambda r: r.case.id != "",
        )
    ).case
    assert (default.callable_hours.start.hours, default.callable_hours.end.hours) == (8, 21)
