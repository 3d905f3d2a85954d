"""The push of an accepted lead (线索推送) is scheduled by the submission's own write transaction: the lead and its
delivery commit together, keyed by the id of the ``lead.accepted`` event recorded beside them, which carries the
header that lets ingest's consumer of older versions' events acknowledge it untouched. Accounts that push nothing
cost one read of their rule per transaction. SQLite, and PostgreSQL when configured."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from services.common.auth import Principal, Role
from services.common.clock import FakeClock
from services.common.db import Database
from services.common.errors import DomainError
from services.ingest.adapters.db.tables import messaging, push
from services.ingest.consumers import PUSH_CONSUMER, consumer_specs
from services.ingest.converters.events import PUSH_SCHEDULED_HEADER
from services.ingest.domain.events import LeadAccepted
from services.ingest.domain.fingerprints import Fingerprinter
from services.ingest.domain.model import DedupAction, SubmitCommand, Verdict
from services.ingest.domain.ports import ClaimAnswer, ClaimRequest, IngestUnitOfWork
from services.ingest.domain.push import DeliveryQuery, PushDelivery
from services.ingest.handlers.events import EventHandlers
from services.ingest.handlers.rules import ScreeningCache
from services.ingest.handlers.submit import SubmitHandlers, SubmitResult
from tests.harness import run_sync
from tests.ingest.integration.test_submit_pipeline import ScriptedDedup, new_answer
from tests.ingest.push.helpers import SEALER, T0, SyncPushHandlers, admin, set_rule
from tests.statement_builds import counting_statement_builds

TENANT = "tenant-a"
PRINCIPAL = Principal(TENANT, "svc", Role.SERVICE)
HOOK = "http://127.0.0.1:9/hook"


def _submitter(
    handlers: SyncPushHandlers, dedup: ScriptedDedup | None = None, *, schedule_pushes=None
) -> SubmitHandlers:  # type: ignore[no-untyped-def]
    def scheduled(uow: IngestUnitOfWork, accepted: Sequence[LeadAccepted]) -> None:
        handlers.push.schedule_accepted(uow, accepted)

    return SubmitHandlers(
        handlers.transactions,
        dedup or ScriptedDedup(new_answer),
        Fingerprinter(b"f" * 32),
        FakeClock(T0),
        ScreeningCache(),
        schedule_pushes=schedule_pushes or scheduled,
    )


def _command(n: int, account: str, **fields: object) -> SubmitCommand:
    values: dict[str, object] = dict(
        account_id=account,
        channel=1,
        traffic_source=1,
        business_source=1,
        request_id=f"r-{account}-{n}",
        phone=f"1390000{n:04d}",
        name=f"客户{n}",
    )
    values.update(fields)
    return SubmitCommand(**values)  # type: ignore[arg-type]


def _deliveries(handlers: SyncPushHandlers, account: str) -> list[PushDelivery]:
    items, _ = handlers.list_push_deliveries(admin(TENANT), DeliveryQuery(account_id=account))
    return items


def _accepted_rows(database: Database) -> dict[str, dict[str, str]]:
    """lead id -> headers of its lead.accepted outbox row."""
    outbox = messaging.outbox
    with database.read() as session:
        rows = session.execute(
            sa.select(outbox.c.aggregate_id, outbox.c.event_id, outbox.c.headers).where(
                outbox.c.subject == "leadflow.lead.v1.accepted"
            )
        ).all()
    return {row.aggregate_id: {**(row.headers or {}), "event_id": row.event_id} for row in rows}


def test_a_batch_schedules_the_pushes_of_its_accepted_leads_in_its_own_transaction(
    handlers: SyncPushHandlers, database: Database
) -> None:
    set_rule(handlers, HOOK, account="acct-push", fields=("id", "phone", "name", "channel"))
    set_rule(handlers, HOOK, account="acct-off", enabled=False)
    submit = _submitter(handlers)
    commands = [
        _command(1, "acct-push"),
        _command(2, "acct-silent"),
        _command(3, "acct-push"),
        _command(4, "acct-off"),
        _command(5, "acct-push", phone="12345"),  # REJECTED (stored for audit): no lead, no push
        _command(6, "acct-push", account_id=""),  # invalid: nothing stored
    ]
    results = run_sync(submit.submit_batch(PRINCIPAL, commands))
    rejected, invalid = results[4], results[5]
    assert (
        isinstance(rejected, SubmitResult) and rejected.verdict is Verdict.REJECTED and rejected.lead is None
    )
    assert isinstance(invalid, DomainError)
    leads = {r.lead.id: r for r in results if isinstance(r, SubmitResult) and r.lead is not None}
    assert len(leads) == 4
    pushed = _deliveries(handlers, "acct-push")
    assert _deliveries(handlers, "acct-silent") == [] and _deliveries(handlers, "acct-off") == []
    accepted = _accepted_rows(database)
    assert {d.lead_id for d in pushed} == {r.lead.id for r in results[:3:2]}  # type: ignore[union-attr]
    for delivery in pushed:
        # Keyed by the event recorded beside it; the fields as the lead.accepted message and the lead carry them.
        assert delivery.event_id == accepted[delivery.lead_id]["event_id"]
        lead = leads[delivery.lead_id].lead
        assert lead is not None
        assert delivery.payload == {
            "id": lead.id,
            "phone": lead.contact.phone,
            "name": lead.contact.name,
            "channel": "CHANNEL_FORM",
        }
    # Every lead.accepted of this version says its push was scheduled, pushing account or not.
    assert set(accepted) == set(leads)
    assert all(headers.get(PUSH_SCHEDULED_HEADER) == "1" for headers in accepted.values())


def test_only_an_accepted_lead_is_pushed_and_a_replay_schedules_nothing_more(
    handlers: SyncPushHandlers,
) -> None:
    set_rule(handlers, HOOK, account="acct-push")
    first = _command(1, "acct-push")
    calls = iter(range(10))

    def dedup_script(request: ClaimRequest) -> ClaimAnswer:
        # The first claim creates the lead; every later one is a duplicate of it.
        if next(calls) == 0:
            dedup_script.canonical = request.candidate_lead_id  # type: ignore[attr-defined]
            return new_answer(request)
        canonical = dedup_script.canonical  # type: ignore[attr-defined]
        return ClaimAnswer(Verdict.DUPLICATE, canonical, (), DedupAction.UNSPECIFIED)

    submit = _submitter(handlers, ScriptedDedup(dedup_script))
    lead = run_sync(submit.submit(PRINCIPAL, first)).lead
    run_sync(submit.submit(PRINCIPAL, first))  # the same request again: its stored answer
    run_sync(submit.submit(PRINCIPAL, _command(1, "acct-push", request_id="r-again")))  # a duplicate
    [delivery] = _deliveries(handlers, "acct-push")
    assert lead is not None and delivery.lead_id == lead.id


def test_a_lead_and_its_push_commit_together(handlers: SyncPushHandlers, database: Database) -> None:
    """Scheduling fails inside the write transaction: neither the submission, the lead, its event nor a delivery
    is stored, and the caller sees the failure (so retries it)."""
    set_rule(handlers, HOOK, account="acct-push")

    def failing(uow: IngestUnitOfWork, accepted: Sequence[LeadAccepted]) -> None:
        handlers.push.schedule_accepted(uow, accepted)
        raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError):
        run_sync(_submitter(handlers, schedule_pushes=failing).submit(PRINCIPAL, _command(1, "acct-push")))
    assert _deliveries(handlers, "acct-push") == []
    assert _accepted_rows(database) == {}
    retried = run_sync(_submitter(handlers).submit(PRINCIPAL, _command(1, "acct-push")))
    [delivery] = _deliveries(handlers, "acct-push")
    assert retried.lead is not None and delivery.lead_id == retried.lead.id


def test_accounts_that_push_nothing_cost_one_rule_read_per_transaction(
    handlers: SyncPushHandlers, database: Database
) -> None:
    reads: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and push.rules.name in statement:
            reads.append(statement)

    # The rules are read in the write transaction, on the write engine.
    event.listen(database.engine, "before_cursor_execute", count)
    try:
        commands = [_command(n, f"acct-{n % 3}") for n in range(12)]
        results = run_sync(_submitter(handlers).submit_batch(PRINCIPAL, commands))
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    assert all(isinstance(r, SubmitResult) for r in results)
    assert len(reads) == 3  # acct-0, acct-1, acct-2
    assert all(_deliveries(handlers, f"acct-{n}") == [] for n in range(3))


def test_the_push_consumer_acknowledges_this_versions_events_and_schedules_older_ones(
    handlers: SyncPushHandlers,
) -> None:
    [spec] = [
        s
        for s in consumer_specs(EventHandlers(FakeClock()), handlers.push, SEALER)
        if s.name == PUSH_CONSUMER
    ]
    assert spec.already_applied is not None
    assert spec.already_applied({PUSH_SCHEDULED_HEADER: "1", "traceparent": "00-x"})
    assert not spec.already_applied({"traceparent": "00-x"}) and not spec.already_applied({})


def test_a_pushed_lead_costs_its_reads_and_one_insert_built_once(
    handlers: SyncPushHandlers, database: Database
) -> None:
    """Per pushed lead in the submission's transaction: the erased check, the contact read and the delivery's INSERT
    (no read of the delivery back), with statements built before (``services.common.statements``)."""
    set_rule(handlers, HOOK, account="acct-push", fields=("id", "name"))
    submit = _submitter(handlers)
    run_sync(submit.submit_batch(PRINCIPAL, [_command(n, "acct-push") for n in range(3)]))  # warm
    on_deliveries: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if push.deliveries.name in statement:
            on_deliveries.append(statement.lstrip().split()[0].upper())

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        with counting_statement_builds() as built:
            results = run_sync(
                submit.submit_batch(PRINCIPAL, [_command(n, "acct-push") for n in range(3, 8)])
            )
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    assert all(isinstance(r, SubmitResult) and r.lead is not None for r in results)
    assert on_deliveries == ["INSERT"] * 5
    assert not [where for where in built if "/push" in where], dict(built)
    assert len(_deliveries(handlers, "acct-push")) == 8
