"""Dedup's use cases on in-memory ports: claims, policies with their events, bindings and erasure."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.common.clock import FakeClock
from services.common.errors import FailedPrecondition, NotFound
from services.common.paging import PageTokens
from services.dedup.domain.model import Dimension, Scope, Verdict
from services.dedup.domain.policy import PolicyPatch
from services.dedup.domain.ports import PolicyChanged
from services.dedup.handlers.claims import ClaimHandlers
from services.dedup.handlers.erasure import ErasureHandlers
from services.dedup.handlers.policies import PolicyHandlers
from tests.common.fakes import FakeTransactions
from tests.dedup.fakes import FakeDedupUnitOfWork
from tests.dedup.helpers import T0, claim, principal

P = Dimension.PHONE


@pytest.fixture
def parts() -> tuple[FakeDedupUnitOfWork, PolicyHandlers, ClaimHandlers, ErasureHandlers, FakeClock]:
    uow, clock = FakeDedupUnitOfWork(), FakeClock(T0)
    tx = FakeTransactions(uow)
    return (
        uow,
        PolicyHandlers(tx, clock, PageTokens(b"p" * 32)),
        ClaimHandlers(tx, clock),
        ErasureHandlers(tx, clock),
        clock,
    )


async def test_claims_judge_new_duplicate_and_replay(parts) -> None:  # type: ignore[no-untyped-def]
    uow, _policies, claims, _erasure, _clock = parts
    who = principal("t1")
    first = await claims.claim(who, claim("acct", {P: "p1"}, request_id="q1"))
    again = await claims.claim(who, claim("acct", {P: "p1"}, request_id="q2"))
    replay = await claims.claim(who, claim("acct", {P: "p1"}, request_id="q1", lead=first.canonical_lead_id))
    assert (first.verdict, again.verdict) == (Verdict.NEW, Verdict.DUPLICATE)
    assert again.canonical_lead_id == first.canonical_lead_id and replay == first
    with pytest.raises(FailedPrecondition):  # the same request id with other fingerprints
        await claims.claim(who, claim("acct", {P: "other"}, request_id="q1"))
    other_tenant = await claims.claim(principal("t2"), claim("acct", {P: "p1"}))
    assert other_tenant.verdict is Verdict.NEW


async def test_a_policy_change_records_history_and_its_event(parts) -> None:  # type: ignore[no-untyped-def]
    uow, policies, _claims, _erasure, clock = parts
    admin = principal("t1")
    await policies.update_policy(admin, PolicyPatch(account_id="parent", scope=int(Scope.ACCOUNT_GROUP)))
    clock.advance(timedelta(minutes=1))
    await policies.bind(admin, "parent", "child")
    history = await policies.list_history(admin, "child", 10, "")
    assert [e.changed_fields for e in history.items] == [("scope", "inherited_from_account_id")]
    events = [e for e in uow.events.recorded if isinstance(e, PolicyChanged)]
    assert [e.change.account_id for e in events] == ["parent", "child"]
    with pytest.raises(FailedPrecondition) as bound:
        await policies.update_policy(admin, PolicyPatch(account_id="child", scope=int(Scope.ACCOUNT)))
    assert bound.value.reason == "ACCOUNT_BOUND" and len(uow.events.recorded) == 2  # nothing recorded


async def test_forget_removes_a_leads_keys_so_the_person_is_new_again(parts) -> None:  # type: ignore[no-untyped-def]
    _uow, _policies, claims, erasure, _clock = parts
    who = principal("t1")
    first = await claims.claim(who, claim("acct", {P: "p1"}))
    assert await erasure.forget(who, first.canonical_lead_id, "f1") == 1
    assert await erasure.forget(who, first.canonical_lead_id, "f1") == 1  # a retry answers the first count
    assert (await claims.claim(who, claim("acct", {P: "p1"}))).verdict is Verdict.NEW
    with pytest.raises(NotFound):
        await erasure.forget(principal("t2"), first.canonical_lead_id, "")


async def test_lead_erased_forgets_the_keys_and_is_harmless_when_nothing_is_left(parts) -> None:  # type: ignore[no-untyped-def]
    uow, _policies, claims, erasure, _clock = parts
    who = principal("t1")
    first = await claims.claim(who, claim("acct", {P: "p1"}))
    other = await claims.claim(principal("t2"), claim("acct", {P: "p1"}))
    assert erasure.on_lead_erased(uow, "t2", first.canonical_lead_id) == 0  # another tenant's id: nothing
    assert erasure.on_lead_erased(uow, "t1", first.canonical_lead_id) == 1
    assert (
        erasure.on_lead_erased(uow, "t1", first.canonical_lead_id) == 0
    )  # a redelivery, or after ForgetLead
    assert (await claims.claim(who, claim("acct", {P: "p1"}))).verdict is Verdict.NEW
    assert (
        await claims.claim(principal("t2"), claim("acct", {P: "p1"}))
    ).canonical_lead_id == other.canonical_lead_id
