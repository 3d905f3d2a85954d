"""Ingest's use cases on in-memory ports: no database, no network. The SQLite/PostgreSQL tests cover the adapters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.common.auth import Principal, Role
from services.common.clock import FakeClock
from services.common.errors import Aborted, FailedPrecondition, InvalidArgument, NotFound
from services.common.paging import PageTokens
from services.common.uow import TransientConflict
from services.ingest.domain.events import (
    CallCompleted,
    LeadAccepted,
    LeadDuplicate,
    LeadRejected,
    RefundIssued,
)
from services.ingest.domain.fingerprints import Fingerprinter
from services.ingest.domain.model import (
    BlocklistEntry,
    BlocklistKind,
    LeadStatus,
    SubmitCommand,
    TenantSettings,
    Verdict,
)
from services.ingest.domain.ports import LeadFilter
from services.ingest.domain.push import AcceptedLead, PushRule
from services.ingest.handlers.events import EventHandlers
from services.ingest.handlers.leads import LeadHandlers
from services.ingest.handlers.push import PushHandlers
from services.ingest.handlers.rules import RuleHandlers, ScreeningCache
from services.ingest.handlers.submit import SubmitHandlers
from tests.common.fakes import FakeTransactions
from tests.ingest.fakes import FakeDedup, FakeIngestUnitOfWork

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SERVICE = Principal("t1", "svc", Role.SERVICE)
ADMIN = Principal("t1", "boss", Role.ADMIN)


class World:
    def __init__(self) -> None:
        self.uow = FakeIngestUnitOfWork()
        self.tx = FakeTransactions(self.uow)
        self.clock = FakeClock(T0)
        self.dedup = FakeDedup()
        screening = ScreeningCache()
        tokens = PageTokens(b"p" * 32)
        self.submit = SubmitHandlers(self.tx, self.dedup, Fingerprinter(b"f" * 32), self.clock, screening)
        self.leads = LeadHandlers(self.tx, tokens)
        self.rules = RuleHandlers(self.tx, self.clock, tokens, screening)
        self.events = EventHandlers(self.clock)
        self.push = PushHandlers(self.tx, self.clock, tokens)


def command(request_id: str = "r1", phone: str = "13800138000", **fields: object) -> SubmitCommand:
    values: dict[str, object] = dict(
        account_id="a1", channel=1, traffic_source=1, business_source=1, request_id=request_id, phone=phone
    )
    values.update(fields)
    return SubmitCommand(**values)  # type: ignore[arg-type]


@pytest.fixture
def world() -> World:
    return World()


async def test_a_new_lead_is_stored_with_its_event_and_a_retry_replays_it(world: World) -> None:
    first = await world.submit.submit(SERVICE, command())
    assert first.verdict is Verdict.NEW and first.lead is not None and not first.replayed
    assert [type(e) for e in world.uow.events.recorded] == [LeadAccepted]
    again = await world.submit.submit(SERVICE, command())
    assert again.replayed and again.submission.id == first.submission.id
    assert len(world.uow.events.recorded) == 1 and world.dedup.calls == 1  # a replay never reaches dedup


async def test_a_reused_request_id_with_other_content_is_refused(world: World) -> None:
    await world.submit.submit(SERVICE, command())
    with pytest.raises(FailedPrecondition) as refused:
        await world.submit.submit(SERVICE, command(phone="13900139000"))
    assert refused.value.reason == "REQUEST_ID_REUSED"


async def test_the_same_person_again_is_a_duplicate_attached_to_the_lead(world: World) -> None:
    first = await world.submit.submit(SERVICE, command("r1"))
    second = await world.submit.submit(SERVICE, command("r2", account_id="a2"))
    assert second.verdict is Verdict.DUPLICATE and second.lead is not None and first.lead is not None
    assert second.lead.id == first.lead.id and second.lead.submission_count == 2
    assert second.lead.account_ids == ("a1", "a2")
    assert [type(e) for e in world.uow.events.recorded] == [LeadAccepted, LeadDuplicate]


async def test_bad_input_names_the_field_and_stores_nothing(world: World) -> None:
    with pytest.raises(InvalidArgument) as error:
        await world.submit.submit(SERVICE, command(account_id="", channel=0))
    assert {v.field for v in error.value.violations} >= {"account_id", "channel"}
    assert world.uow.submissions.rows == [] and world.dedup.calls == 0 and world.uow.events.recorded == []


async def test_a_blocklisted_phone_is_rejected_for_audit_without_asking_dedup(world: World) -> None:
    await world.rules.set_blocklist(ADMIN, [BlocklistEntry(BlocklistKind.PHONE, "138 0013 8000")])
    result = await world.submit.submit(SERVICE, command())
    assert result.verdict is Verdict.REJECTED and result.lead is None
    assert [r.rule for r in result.rejections] and world.dedup.calls == 0
    assert [type(e) for e in world.uow.events.recorded] == [LeadRejected]


async def test_a_write_that_fails_leaves_nothing_behind(world: World) -> None:
    def fail(lead: object) -> bool:
        raise RuntimeError("disk full")

    world.uow.leads.insert = fail  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        await world.submit.submit(SERVICE, command())
    assert world.uow.submissions.rows == [] and world.uow.events.recorded == []


async def test_a_write_that_keeps_losing_races_ends_aborted(world: World) -> None:
    def lose(lead: object) -> bool:
        raise TransientConflict()

    world.uow.leads.insert = lose  # type: ignore[method-assign]
    with pytest.raises(Aborted):
        await world.submit.submit(SERVICE, command())
    assert world.tx.writes == 8 and world.uow.submissions.rows == []


async def test_leads_page_newest_first_and_stay_in_their_tenant(world: World) -> None:
    for n in range(5):
        world.clock.advance(timedelta(minutes=1))
        await world.submit.submit(SERVICE, command(f"r{n}", phone=f"1380013800{n}"))
    first = await world.leads.list_leads(SERVICE, LeadFilter(), 3, "")
    rest = await world.leads.list_leads(SERVICE, LeadFilter(), 3, first.next_page_token)
    assert (
        first.total_size == 5 and len(first.items) == 3 and len(rest.items) == 2 and not rest.next_page_token
    )
    times = [lead.first_submit_time for lead in first.items + rest.items]
    assert times == sorted(times, reverse=True)
    with pytest.raises(NotFound):
        await world.leads.get_lead(Principal("t2", "x", Role.ADMIN), first.items[0].id)
    with pytest.raises(InvalidArgument):
        await world.leads.list_leads(Principal("t2", "x", Role.ADMIN), LeadFilter(), 3, first.next_page_token)


async def test_settings_updates_name_bad_mask_paths(world: World) -> None:
    with pytest.raises(InvalidArgument) as error:
        await world.rules.update_settings(
            ADMIN, TenantSettings(default_region="XX"), ["default_region", "colour"]
        )
    assert [v.field for v in error.value.violations] == ["update_mask", "settings.default_region"]
    view = await world.rules.update_settings(
        ADMIN, TenantSettings(landline_allowed=False), ["landline_allowed"]
    )
    assert view.settings.landline_allowed is False and view.update_time == T0


async def test_call_and_refund_events_move_the_lead(world: World) -> None:
    lead = (await world.submit.submit(SERVICE, command())).lead
    assert lead is not None
    world.events.on_call_completed(world.uow, CallCompleted("t1", lead.id, "c1", "ANSWERED", ""))
    assert world.uow.leads.get("t1", lead.id).status is LeadStatus.CONTACTED  # type: ignore[union-attr]
    world.events.on_refund_issued(world.uow, RefundIssued("t1", lead.id, "DUPLICATE_CHARGE"))
    assert world.uow.leads.get("t1", lead.id).status is LeadStatus.CONTACTED  # type: ignore[union-attr]
    world.events.on_call_completed(world.uow, CallCompleted("t1", lead.id, "c2", "EMPTY_NUMBER", ""))
    assert world.uow.rules.dead_phones("t1", [lead.contact.phone]) == {lead.contact.phone}
    world.events.on_refund_issued(world.uow, RefundIssued("t1", lead.id, "EMPTY_NUMBER"))
    moved = world.uow.leads.get("t1", lead.id)
    assert moved is not None and moved.status is LeadStatus.INVALID and moved.invalid_reason == "EMPTY_NUMBER"


async def test_a_push_is_scheduled_once_per_accepted_event_with_the_stored_contact(world: World) -> None:
    lead = (await world.submit.submit(SERVICE, command(name="张三"))).lead
    assert lead is not None
    world.uow.push.upsert_rule(
        PushRule("t1", "a1", "https://crm.example.com/h", True, ("id", "name"), "s" * 32, T0)
    )
    accepted = AcceptedLead("evt-1", "t1", "a1", lead.id, {"id": lead.id, "name": None})
    scheduled = world.push.schedule(world.uow, accepted)
    assert scheduled is not None and dict(scheduled.payload) == {"id": lead.id, "name": "张三"}
    assert world.push.schedule(world.uow, accepted) is None  # the same event again schedules nothing
