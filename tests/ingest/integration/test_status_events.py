"""Other services' events moving a stored lead's status, on a real database (SQLite file and PostgreSQL): one
conditional UPDATE per event (``LeadRepository.move_status`` with ``domain.status.moves_to``), forward only, a
final status never left, another tenant's or an unknown lead untouched and logged."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import event

from services.common.db import Database
from services.ingest.domain.events import CallCompleted, LeadAssigned, LeadStatusChanged, RefundIssued
from services.ingest.domain.model import LeadStatus
from services.ingest.domain.ports import IngestUnitOfWork

from .test_erasure_store import SERVICE, Ingest, command, database  # noqa: F401

S = LeadStatus


async def _lead(ingest: Ingest, request_id: str, phone: str) -> str:
    # A person of its own (command's default name, WeChat id, ... would make dedup match the earlier lead).
    person = {"name": "", "wechat": "", "email": "", "ip": "", "device_id": "", "attributes": {}}
    result = await ingest.submit.submit(SERVICE, command(request_id, phone=phone, **person))
    assert result.lead is not None
    return result.lead.id


async def _status(ingest: Ingest, lead_id: str, tenant: str = "t1") -> LeadStatus | None:
    return await ingest.tx.read(lambda uow: uow.leads.status_of(tenant, lead_id))


class Statements:
    """The data statements each event's transaction ran (SQLite's BEGIN never goes through execute; PostgreSQL's
    SET LOCAL lock_timeout at the start of a transaction is left out)."""

    def __init__(self, database: Database) -> None:  # noqa: F811 - the fixture's name, not the fixture
        self.seen: list[str] = []
        event.listen(
            database.engine,
            "before_cursor_execute",
            lambda _c, _cur, statement, *_rest: self._note(statement.split()[0].upper()),
        )

    def _note(self, verb: str) -> None:
        if verb != "SET":
            self.seen.append(verb)

    def take(self) -> list[str]:
        seen, self.seen = self.seen, []
        return seen


async def test_each_event_moves_the_lead_forward_with_one_statement(database: Database) -> None:  # noqa: F811
    ingest = Ingest(database)
    lead = await _lead(ingest, "r1", "138 0013 8000")
    statements = Statements(database)

    async def apply(handle) -> None:  # type: ignore[no-untyped-def]
        statements.take()  # the test's own reads (on PostgreSQL they go through the same engine)
        await ingest.tx.write(handle)

    await apply(lambda uow: ingest.events.on_lead_assigned(uow, LeadAssigned("t1", lead)))
    assert statements.take() == ["UPDATE"]  # no read first
    assert await _status(ingest, lead) is S.ASSIGNED
    await apply(
        lambda uow: ingest.events.on_call_completed(uow, CallCompleted("t1", lead, "c1", "ANSWERED", ""))
    )
    assert statements.take() == ["UPDATE"]
    assert await _status(ingest, lead) is S.CONTACTED

    # Backwards (a reassignment after the contact) changes nothing; the status is read to tell "not ours" apart.
    await apply(lambda uow: ingest.events.on_lead_assigned(uow, LeadAssigned("t1", lead)))
    assert statements.take() == ["UPDATE", "SELECT"]
    assert await _status(ingest, lead) is S.CONTACTED

    changed = await ingest.tx.write(
        lambda uow: ingest.events.on_lead_status_changed(
            uow,
            LeadStatusChanged("e1", "t1", lead, "a1", S.CONVERTED, "", ingest.clock.now(), "f1", "agent-1"),
        )
    )
    assert changed is True and await _status(ingest, lead) is S.CONVERTED
    # A final status is never left: a refund afterwards, or the same conversion again, changes nothing.
    await apply(lambda uow: ingest.events.on_refund_issued(uow, RefundIssued("t1", lead, "EMPTY_NUMBER")))
    again = await ingest.tx.write(
        lambda uow: ingest.events.on_lead_status_changed(
            uow,
            LeadStatusChanged("e2", "t1", lead, "a1", S.CONVERTED, "", ingest.clock.now(), "f2", "agent-1"),
        )
    )
    assert again is False and await _status(ingest, lead) is S.CONVERTED


async def test_invalid_keeps_its_reason_and_other_statuses_clear_none(database: Database) -> None:  # noqa: F811
    ingest = Ingest(database)
    lead = await _lead(ingest, "r1", "139 1234 5678")
    await ingest.tx.write(
        lambda uow: ingest.events.on_refund_issued(uow, RefundIssued("t1", lead, "EMPTY_NUMBER"))
    )
    stored = await ingest.tx.read(lambda uow: uow.leads.get("t1", lead))
    assert stored is not None and (stored.status, stored.invalid_reason) == (S.INVALID, "EMPTY_NUMBER")
    # A duplicate charge refunded leaves the lead itself as it was (handled before any status move).
    other = await _lead(ingest, "r2", "137 0000 1111")
    await ingest.tx.write(
        lambda uow: ingest.events.on_refund_issued(uow, RefundIssued("t1", other, "DUPLICATE_CHARGE"))
    )
    assert await _status(ingest, other) is S.NEW


async def test_an_unknown_or_another_tenants_lead_is_left_alone_and_logged(
    database: Database,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    ingest = Ingest(database)
    lead = await _lead(ingest, "r1", "138 0013 8000")
    caplog.set_level(logging.WARNING, logger="leadflow.ingest")

    def assigned(tenant: str, lead_id: str):  # type: ignore[no-untyped-def]
        return lambda uow: ingest.events.on_lead_assigned(uow, LeadAssigned(tenant, lead_id))

    await ingest.tx.write(assigned("t2", lead))  # the right id, another tenant
    await ingest.tx.write(assigned("t1", "01NOSUCHLEAD0000000000000"))
    await ingest.tx.write(assigned("t1", ""))
    assert await _status(ingest, lead) is S.NEW
    warnings = [r for r in caplog.records if r.getMessage() == "event for a lead ingest does not have"]
    assert len(warnings) == 3


async def test_move_status_is_a_compare_and_set(database: Database) -> None:  # noqa: F811
    ingest = Ingest(database)
    lead = await _lead(ingest, "r1", "138 0013 8000")

    def move(to: LeadStatus, only_from: frozenset[LeadStatus]):  # type: ignore[no-untyped-def]
        def work(uow: IngestUnitOfWork) -> bool:
            return uow.leads.move_status("t1", lead, to, "", ingest.clock.now(), only_from=only_from)

        return work

    assert await ingest.tx.write(move(S.CONTACTED, frozenset({S.ASSIGNED}))) is False  # it is NEW
    assert await ingest.tx.write(move(S.CONTACTED, frozenset())) is False
    assert await ingest.tx.write(move(S.CONTACTED, frozenset({S.NEW, S.ASSIGNED}))) is True
    assert await ingest.tx.write(move(S.CONTACTED, frozenset({S.NEW, S.ASSIGNED}))) is False  # moved already
    assert await _status(ingest, lead) is S.CONTACTED


async def test_a_batch_of_assignments_moves_every_lead_with_one_statement(
    database: Database,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    ingest = Ingest(database)
    fresh = [await _lead(ingest, f"b{n}", f"138 0013 80{n:02d}") for n in range(5)]
    contacted = await _lead(ingest, "b-c", "139 0000 2222")
    await ingest.tx.write(
        lambda uow: ingest.events.on_call_completed(uow, CallCompleted("t1", contacted, "c1", "ANSWERED", ""))
    )
    statements = Statements(database)
    batch = [LeadAssigned("t1", lead) for lead in fresh]
    await ingest.tx.write(lambda uow: ingest.events.on_leads_assigned(uow, batch))
    assert statements.take() == ["UPDATE"]  # one statement run for all five, no read
    assert [await _status(ingest, lead) for lead in fresh] == [S.ASSIGNED] * 5

    # What one event at a time would do, for each kind in one batch: a repeat and a contacted lead stay as they
    # are (read once to tell them from unknown leads), unknown ones and another tenant's are logged, untouched.
    caplog.set_level(logging.WARNING, logger="leadflow.ingest")
    mixed = [
        LeadAssigned("t1", fresh[0]),
        LeadAssigned("t1", contacted),
        LeadAssigned("t2", fresh[1]),
        LeadAssigned("t1", "01NOSUCHLEAD0000000000000"),
        LeadAssigned("t1", ""),
    ]
    await ingest.tx.write(lambda uow: ingest.events.on_leads_assigned(uow, mixed))
    assert await _status(ingest, contacted) is S.CONTACTED
    assert await _status(ingest, fresh[1], "t1") is S.ASSIGNED
    warnings = [r for r in caplog.records if r.getMessage() == "event for a lead ingest does not have"]
    assert len(warnings) == 3
