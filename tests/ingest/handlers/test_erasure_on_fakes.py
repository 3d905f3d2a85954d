"""EraseLead's use case on in-memory ports: what is emptied and what is kept, the event, idempotency, tenancy, bad
input, dedup down, and the guards that keep an erased lead's data from coming back (a racing submission, a late push
or call event)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.common.auth import Principal, Role
from services.common.clock import FakeClock
from services.common.errors import InvalidArgument, NotFound
from services.common.paging import PageTokens
from services.ingest.domain.events import CallCompleted, LeadAccepted, LeadDuplicate, LeadErased
from services.ingest.domain.fingerprints import Fingerprinter
from services.ingest.domain.model import Contact, DedupAction, SubmitCommand, Verdict
from services.ingest.domain.ports import ClaimAnswer, ClaimRequest
from services.ingest.domain.push import AcceptedLead, DeliveryStatus, NewDelivery, PushRule
from services.ingest.handlers.erasure import ErasureHandlers
from services.ingest.handlers.events import EventHandlers
from services.ingest.handlers.push import PushHandlers
from services.ingest.handlers.rules import ScreeningCache
from services.ingest.handlers.submit import SubmitHandlers
from tests.common.fakes import FakeTransactions
from tests.ingest.fakes import FakeDedup, FakeIngestUnitOfWork

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SERVICE = Principal("t1", "svc", Role.SERVICE)
ADMIN = Principal("t1", "privacy-officer", Role.ADMIN)
PHONE = "+8613800138000"


class World:
    def __init__(self) -> None:
        self.uow = FakeIngestUnitOfWork()
        self.tx = FakeTransactions(self.uow)
        self.clock = FakeClock(T0)
        self.dedup = FakeDedup()
        self.submit = SubmitHandlers(
            self.tx, self.dedup, Fingerprinter(b"f" * 32), self.clock, ScreeningCache()
        )
        self.erasure = ErasureHandlers(self.tx, self.dedup, self.clock)
        self.push = PushHandlers(self.tx, self.clock, PageTokens(b"p" * 32))
        self.events = EventHandlers(self.clock)


def command(request_id: str, **fields: object) -> SubmitCommand:
    values: dict[str, object] = dict(
        account_id="a1",
        channel=1,
        traffic_source=1,
        business_source=1,
        request_id=request_id,
        phone="13800138000",
        name="张三",
        wechat="zhangsan_wx",
        email="zs@example.com",
        ip="10.1.2.3",
        device_id="imei-86000000000001",
        attributes={"remark": "call me on 13800138000 after 6pm"},
    )
    values.update(fields)
    return SubmitCommand(**values)  # type: ignore[arg-type]


@pytest.fixture
def world() -> World:
    return World()


async def test_erasure_empties_the_lead_and_its_submissions_and_keeps_the_accounting(world: World) -> None:
    first = await world.submit.submit(SERVICE, command("r1"))
    await world.submit.submit(SERVICE, command("r2", account_id="a2"))  # a duplicate, attached
    lead = first.lead
    assert lead is not None
    world.clock.advance(timedelta(seconds=60))
    result = await world.erasure.erase(ADMIN, lead.id)

    erased = result.lead
    assert result.erased_now and result.keys_forgotten
    assert erased.contact == Contact(phone_from_wechat=False)
    assert erased.erase_time == T0.replace(minute=1) and erased.erased_by == "privacy-officer"
    # Kept: ids, accounts, verdict, counts, times.
    assert (erased.id, erased.verdict, erased.submission_count) == (lead.id, Verdict.NEW, 2)
    assert erased.account_ids == ("a1", "a2") and erased.first_submit_time == lead.first_submit_time
    for submission in world.uow.submissions.rows:
        assert submission.contact == Contact() and dict(submission.attributes) == {}
        assert submission.lead_id == lead.id and submission.request_id in ("r1", "r2")
    assert [type(e) for e in world.uow.events.recorded][-1] is LeadErased
    event = world.uow.events.recorded[-1]
    assert event == LeadErased("t1", lead.id, ("a1", "a2"), erased.erase_time)
    assert world.dedup.forgotten == [("t1", lead.id)] and not world.dedup.owner


async def test_erasing_twice_changes_nothing_and_records_no_second_event(world: World) -> None:
    lead = (await world.submit.submit(SERVICE, command("r1"))).lead
    assert lead is not None
    first = await world.erasure.erase(ADMIN, lead.id)
    recorded = list(world.uow.events.recorded)
    world.clock.advance(timedelta(hours=1))
    again = await world.erasure.erase(Principal("t1", "someone-else", Role.ADMIN), lead.id)
    assert not again.erased_now and again.lead == first.lead  # the first erase time and actor stay
    assert world.uow.events.recorded == recorded
    assert again.keys_forgotten and len(world.dedup.forgotten) == 2  # dedup is asked again: harmless


async def test_another_tenants_lead_is_not_found_and_bad_ids_are_invalid(world: World) -> None:
    lead = (await world.submit.submit(SERVICE, command("r1"))).lead
    assert lead is not None
    with pytest.raises(NotFound) as missing:
        await world.erasure.erase(Principal("t2", "boss", Role.ADMIN), lead.id)
    assert missing.value.reason == "LEAD_NOT_FOUND"
    assert world.uow.leads.get("t1", lead.id) == lead  # untouched
    for bad in ("", "x" * 200, "lead\x00id"):
        with pytest.raises(InvalidArgument) as invalid:
            await world.erasure.erase(ADMIN, bad)
        assert [v.field for v in invalid.value.violations] == ["lead_id"]
    assert not [e for e in world.uow.events.recorded if isinstance(e, LeadErased)]


async def test_dedup_down_still_erases_and_says_the_keys_are_not_forgotten_yet(world: World) -> None:
    lead = (await world.submit.submit(SERVICE, command("r1"))).lead
    assert lead is not None
    world.dedup.down = True
    result = await world.erasure.erase(ADMIN, lead.id)
    assert result.erased_now and not result.keys_forgotten
    assert world.uow.leads.get("t1", lead.id).contact == Contact()  # type: ignore[union-attr]
    assert isinstance(world.uow.events.recorded[-1], LeadErased)  # dedup forgets from it later


async def test_rejected_submissions_with_the_number_and_dead_numbers_go_too(world: World) -> None:
    lead = (await world.submit.submit(SERVICE, command("r1"))).lead
    assert lead is not None
    world.events.on_call_completed(world.uow, CallCompleted("t1", lead.id, "c1", "EMPTY_NUMBER", PHONE))
    rejected = await world.submit.submit(
        SERVICE, command("r2")
    )  # now a dead number: REJECTED, kept for audit
    assert rejected.verdict is Verdict.REJECTED and rejected.submission.contact.phone == PHONE
    other = await world.submit.submit(
        SERVICE,
        command(
            "r3",
            phone="13900139000",
            name="李四",
            wechat="lisi_wx",
            email="",
            ip="",
            device_id="",
            attributes={},
        ),
    )
    await world.erasure.erase(ADMIN, lead.id)
    by_request = {s.request_id: s for s in world.uow.submissions.rows}
    assert by_request["r2"].contact == Contact() and by_request["r2"].rejections  # the reasons stay
    assert by_request["r3"].contact.phone == "+8613900139000"  # another person's submission is untouched
    assert world.uow.rules.dead_phones("t1", [PHONE]) == set()
    assert other.lead is not None and other.lead.contact.name == "李四"


async def test_pushes_of_an_erased_lead_are_emptied_and_never_scheduled_again(world: World) -> None:
    lead = (await world.submit.submit(SERVICE, command("r1"))).lead
    assert lead is not None
    world.uow.push.upsert_rule(PushRule("t1", "a1", "https://crm.example.com/h", True, (), "s" * 32, T0))
    fields = {"id": lead.id, "phone": PHONE}
    pending = world.push.schedule(world.uow, AcceptedLead("e1", "t1", "a1", lead.id, fields))
    assert pending is not None and pending.payload["phone"] == PHONE
    delivered = NewDelivery("d-done", "t1", "a1", lead.id, "e0", T0, {"phone": PHONE})
    world.uow.push.create_delivery(delivered)
    done = world.uow.push.deliveries["d-done"]
    world.uow.push.deliveries["d-done"] = replace(
        done, status=DeliveryStatus.DELIVERED, next_attempt_time=None
    )
    await world.erasure.erase(ADMIN, lead.id)
    after = world.uow.push.deliveries
    assert after[pending.id].status is DeliveryStatus.GAVE_UP and after[pending.id].next_attempt_time is None
    assert after["d-done"].status is DeliveryStatus.DELIVERED  # history stays, without its payload
    assert all(dict(d.payload) == {} for d in after.values())
    assert world.push.schedule(world.uow, AcceptedLead("e2", "t1", "a1", lead.id, fields)) is None


async def test_a_late_dead_number_call_of_an_erased_lead_records_nothing(world: World) -> None:
    lead = (await world.submit.submit(SERVICE, command("r1"))).lead
    assert lead is not None
    await world.erasure.erase(ADMIN, lead.id)
    world.events.on_call_completed(world.uow, CallCompleted("t1", lead.id, "c9", "EMPTY_NUMBER", PHONE))
    assert world.uow.rules.dead_phones("t1", [PHONE]) == set()


async def test_a_submission_matched_before_the_keys_were_forgotten_is_erased_as_it_is_stored(
    world: World,
) -> None:
    """The race rule: dedup answered DUPLICATE (MERGE) of the lead before it forgot the keys, ingest stores the
    submission after the erasure: it is attached to the erased lead and its personal data is erased with it."""
    lead = (await world.submit.submit(SERVICE, command("r1"))).lead
    assert lead is not None
    world.dedup.down = True  # the forget does not happen: dedup still answers with the erased lead
    await world.erasure.erase(ADMIN, lead.id)

    async def stale_claim(tenant_id: str, request: ClaimRequest) -> ClaimAnswer:
        return ClaimAnswer(Verdict.DUPLICATE, lead.id, (), DedupAction.MERGE)

    world.dedup.claim = stale_claim  # type: ignore[method-assign]
    late = await world.submit.submit(
        SERVICE, command("r-late", name="张三", attributes={"note": "13800138000"})
    )
    assert late.verdict is Verdict.DUPLICATE and late.lead is not None and late.lead.id == lead.id
    assert isinstance(world.uow.events.recorded[-1], LeadDuplicate)
    stored = {s.request_id: s for s in world.uow.submissions.rows}["r-late"]
    assert stored.contact == Contact() and dict(stored.attributes) == {}
    assert world.uow.leads.get("t1", lead.id).contact == Contact()  # type: ignore[union-attr]


async def test_after_the_keys_are_forgotten_the_same_person_is_a_new_lead(world: World) -> None:
    lead = (await world.submit.submit(SERVICE, command("r1"))).lead
    assert lead is not None
    await world.erasure.erase(ADMIN, lead.id)
    again = await world.submit.submit(SERVICE, command("r2"))
    assert again.verdict is Verdict.NEW and again.lead is not None and again.lead.id != lead.id
    assert again.lead.contact.phone == PHONE and isinstance(world.uow.events.recorded[-1], LeadAccepted)
