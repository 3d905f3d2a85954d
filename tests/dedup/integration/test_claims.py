"""Claims over the real store: conflicts and the canonical rule, MERGE and FLAG, idempotency, collect accounts,
ExplainLead, ForgetLead, batches, and the retry of lost races."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from services.common.auth import Role
from services.common.errors import Aborted, FailedPrecondition, InvalidArgument, NotFound
from services.common.uow import TransientConflict
from services.dedup.domain.claims import ClaimCommand
from services.dedup.domain.model import Action, ClaimResult, Dimension, Scope, Verdict
from services.dedup.domain.policy import PolicyPatch
from tests.dedup.helpers import DedupHandlers, claim, keyed, principal, unique

DAY = timedelta(days=1)
P, W, E, I, D = Dimension.PHONE, Dimension.WECHAT, Dimension.EMAIL, Dimension.IP, Dimension.DEVICE  # noqa: E741


def all_dimensions(handlers: DedupHandlers, tenant: str, account: str, action: Action = Action.MERGE) -> None:
    handlers.update_policy(
        principal(tenant),
        PolicyPatch(
            account_id=account,
            mask=("dimensions", "action"),
            dimensions=tuple(int(d) for d in Dimension),
            action=int(action),
        ),
    )


def explain(handlers: DedupHandlers, tenant: str, lead: str) -> list[tuple[Dimension, str]]:
    return [(k.dimension, k.reason) for k in handlers.explain(principal(tenant, Role.SERVICE), lead)]


def test_conflicting_dimensions_pick_the_phone_match_and_the_canonical_lead_collects_new_keys(
    handlers: DedupHandlers, tenant: str
) -> None:
    all_dimensions(handlers, tenant, "acct")
    who = principal(tenant, Role.SERVICE)
    device_lead = handlers.claim(who, claim("acct", {D: "dev-1"}, timedelta(0)))
    phone_lead = handlers.claim(who, claim("acct", {P: "+8613800138000"}, DAY))
    result = handlers.claim(
        who, claim("acct", {P: "+8613800138000", D: "dev-1", W: "wx_new"}, 2 * DAY, lead="cand")
    )
    assert result.verdict is Verdict.DUPLICATE and result.action is Action.MERGE
    assert result.canonical_lead_id == phone_lead.canonical_lead_id  # phone beats the older device match
    assert [(m.dimension, m.lead_id) for m in result.matches] == [
        (P, phone_lead.canonical_lead_id),
        (D, device_lead.canonical_lead_id),
    ]
    # The new WeChat key points at the canonical lead; the device key stays with its own lead.
    assert explain(handlers, tenant, phone_lead.canonical_lead_id) == [
        (P, "first claimed by this lead"),
        (W, "brought by duplicate submission cand and attached to this lead"),
    ]
    assert {k.dimension for k in handlers.explain(who, device_lead.canonical_lead_id)} == {D}
    later = handlers.claim(who, claim("acct", {W: "wx_new"}, 3 * DAY))
    assert later.canonical_lead_id == phone_lead.canonical_lead_id


def test_flag_keeps_the_candidate_apart_but_resolves_the_person_to_the_original(
    handlers: DedupHandlers, tenant: str
) -> None:
    all_dimensions(handlers, tenant, "acct", Action.FLAG)
    who = principal(tenant, Role.SERVICE)
    first = handlers.claim(who, claim("acct", {P: "p"}))
    flagged = handlers.claim(who, claim("acct", {P: "p", E: "a@b.c"}, DAY))
    assert flagged.verdict is Verdict.DUPLICATE and flagged.action is Action.FLAG
    assert flagged.canonical_lead_id == first.canonical_lead_id
    third = handlers.claim(who, claim("acct", {E: "a@b.c"}, 2 * DAY))
    assert third.canonical_lead_id == first.canonical_lead_id


def test_explain_lists_keys_and_why(handlers: DedupHandlers, tenant: str) -> None:
    handlers.update_policy(
        principal(tenant),
        PolicyPatch(
            account_id="acct",
            mask=("dimensions", "windows"),
            dimensions=(int(P), int(D)),
            windows=((int(P), 30 * DAY),),
        ),
    )
    who = principal(tenant, Role.SERVICE)
    first = handlers.claim(who, claim("acct", {P: "p"}, lead="lead-a"))
    handlers.claim(who, claim("acct", {P: "p", D: "d"}, DAY, lead="lead-b"))
    returning = handlers.claim(who, claim("acct", {P: "p"}, 40 * DAY, lead="lead-c"))
    assert returning.verdict is Verdict.RETURNING
    assert explain(handlers, tenant, "lead-a") == [
        (D, "brought by duplicate submission lead-b and attached to this lead")
    ]
    assert explain(handlers, tenant, "lead-c") == [
        (P, "moved to this returning lead from lead lead-a after that lead's window expired")
    ]
    (key,) = handlers.explain(who, "lead-c")
    assert key.key_hash_prefix == keyed("p").hex()[:8] and key.scope_account_id == "acct"
    assert first.verdict is Verdict.NEW
    assert handlers.explain(who, "lead-b") == []  # known (it was a candidate) but holds no key
    with pytest.raises(NotFound):
        handlers.explain(who, "never-seen")
    with pytest.raises(NotFound):
        handlers.explain(principal(unique("other"), Role.SERVICE), "lead-a")


def test_forget_removes_the_keys_so_the_same_phone_is_new_again(handlers: DedupHandlers, tenant: str) -> None:
    who = principal(tenant, Role.SERVICE)
    first = handlers.claim(who, claim("acct", {P: "p"}))
    assert handlers.claim(who, claim("acct", {P: "p"})).verdict is Verdict.DUPLICATE
    assert handlers.forget(who, first.canonical_lead_id, "forget-1") == 1
    assert handlers.forget(who, first.canonical_lead_id, "forget-1") == 1  # a retry answers the first count
    assert handlers.forget(who, first.canonical_lead_id, "") == 0
    assert handlers.explain(who, first.canonical_lead_id) == []
    assert handlers.claim(who, claim("acct", {P: "p"})).verdict is Verdict.NEW
    with pytest.raises(FailedPrecondition):
        handlers.forget(who, "another-lead", "forget-1")
    with pytest.raises(NotFound):
        handlers.forget(principal(unique("other"), Role.SERVICE), first.canonical_lead_id, "")


def test_the_same_request_id_returns_the_first_answer(handlers: DedupHandlers, tenant: str) -> None:
    who = principal(tenant, Role.SERVICE)
    command = claim("acct", {P: "p"}, request_id="r-1", lead="lead-1")
    first = handlers.claim(who, command)
    handlers.forget(who, "lead-1", "")  # the index changes, the answer does not
    assert handlers.claim(who, command) == first
    # Retried with a new request id but the same candidate and content: still the first answer.
    assert handlers.claim(who, claim("acct", {P: "p"}, request_id="r-2", lead="lead-1")) == first
    with pytest.raises(FailedPrecondition) as error:
        handlers.claim(who, claim("acct", {P: "other"}, request_id="r-1", lead="lead-1"))
    assert error.value.reason == "REQUEST_ID_REUSED" and error.value.metadata["field"] == "request_id"
    with pytest.raises(FailedPrecondition) as error:
        handlers.claim(who, claim("acct", {P: "other"}, request_id="r-3", lead="lead-1"))
    assert error.value.metadata["field"] == "candidate_lead_id"


def test_collect_account_and_ad_account_resolve_to_one_lead(handlers: DedupHandlers, tenant: str) -> None:
    who = principal(tenant, Role.SERVICE)
    first = handlers.claim(who, claim("ad-acct", {P: "p"}, collect="collect-acct"))
    assert first.verdict is Verdict.NEW
    by_collect = handlers.claim(who, claim("collect-acct", {P: "p"}, DAY))
    by_ad = handlers.claim(who, claim("ad-acct", {P: "p"}, DAY))
    assert by_collect.verdict is by_ad.verdict is Verdict.DUPLICATE
    assert by_collect.canonical_lead_id == by_ad.canonical_lead_id == first.canonical_lead_id
    # Seen first under the collection account alone, then submitted for an ad account through it.
    handlers.claim(who, claim("collect-acct", {P: "q"}))
    both = handlers.claim(who, claim("ad-2", {P: "q"}, DAY, collect="collect-acct"))
    assert both.verdict is Verdict.DUPLICATE
    assert {m.policy_account_id for m in both.matches} == {"collect-acct"}
    assert handlers.claim(who, claim("ad-2", {P: "q"}, 2 * DAY)).canonical_lead_id == both.canonical_lead_id


def test_a_group_parent_and_child_share_one_index(handlers: DedupHandlers, tenant: str) -> None:
    admin, who = principal(tenant), principal(tenant, Role.SERVICE)
    handlers.update_policy(admin, PolicyPatch(account_id="parent", scope=int(Scope.ACCOUNT_GROUP)))
    handlers.bind(admin, "parent", "child-1")
    handlers.bind(admin, "parent", "child-2")
    first = handlers.claim(who, claim("child-1", {P: "p"}))
    other = handlers.claim(who, claim("child-2", {P: "p"}, DAY))
    assert other.verdict is Verdict.DUPLICATE and other.canonical_lead_id == first.canonical_lead_id
    assert handlers.claim(who, claim("parent", {P: "p"}, DAY)).verdict is Verdict.DUPLICATE
    assert handlers.claim(who, claim("unrelated", {P: "p"}, DAY)).verdict is Verdict.NEW


def test_a_batch_sees_earlier_items_and_fails_items_on_their_own(
    handlers: DedupHandlers, tenant: str
) -> None:
    who = principal(tenant, Role.SERVICE)
    reused = claim("acct", {P: "z"}, request_id="dup-req")
    handlers.claim(who, reused)
    items = [
        claim("acct", {P: "p"}),
        claim("acct", {P: "p"}),
        replace(claim("acct", {P: "x"}), fingerprints=((1, b"short"),)),
        claim("acct", {P: "other"}, request_id="dup-req"),
        reused,
    ]
    results = handlers.batch_claim(who, items)
    assert results[0].verdict is Verdict.NEW
    assert (
        results[1].verdict is Verdict.DUPLICATE
        and results[1].canonical_lead_id == results[0].canonical_lead_id
    )
    assert isinstance(results[2], InvalidArgument)
    assert [v.field for v in results[2].violations] == ["fingerprints[0].keyed_hash"]
    assert isinstance(results[3], FailedPrecondition) and results[3].reason == "REQUEST_ID_REUSED"
    assert isinstance(results[4], ClaimResult) and results[4].verdict is Verdict.NEW
    with pytest.raises(InvalidArgument):
        handlers.batch_claim(who, [])
    with pytest.raises(InvalidArgument):
        handlers.batch_claim(who, [claim("acct", {P: unique("p")}) for _ in range(501)])


def test_a_large_batch_spans_several_transactions(handlers: DedupHandlers, tenant: str) -> None:
    who = principal(tenant, Role.SERVICE)
    phones = [unique("p") for _ in range(250)]
    results = handlers.batch_claim(
        who, [claim("acct", {P: p}) for p in phones] + [claim("acct", {P: phones[0]})]
    )
    assert [r.verdict for r in results[:250]] == [Verdict.NEW] * 250
    assert results[250].verdict is Verdict.DUPLICATE


class FlakyStore:
    """A unit-of-work factory that loses the race ``failures`` times, then behaves."""

    def __init__(self, inner, failures: int) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.failures, self.attempts = inner, failures, 0

    def __call__(self, session, events):  # type: ignore[no-untyped-def]
        self.attempts += 1
        if self.attempts <= self.failures:
            raise TransientConflict()
        return self.inner(session, events)


def test_lost_races_are_retried_then_aborted(handlers: DedupHandlers, tenant: str) -> None:
    who = principal(tenant, Role.SERVICE)
    transactions = handlers.transactions
    flaky = FlakyStore(transactions._unit_of_work, failures=3)  # noqa: SLF001 - wrap the real store
    transactions._unit_of_work = flaky  # type: ignore[attr-defined]  # noqa: SLF001
    assert handlers.claim(who, claim("acct", {P: "p"})).verdict is Verdict.NEW
    assert flaky.attempts == 4
    transactions._unit_of_work = FlakyStore(flaky.inner, failures=1000)  # type: ignore[attr-defined]  # noqa: SLF001
    with pytest.raises(Aborted):
        handlers.claim(who, claim("acct", {P: "q"}))


def test_a_childs_history_matches_in_its_group_and_comes_back_after_unbinding(
    handlers: DedupHandlers, tenant: str
) -> None:
    admin, who = principal(tenant), principal(tenant, Role.SERVICE)
    handlers.update_policy(admin, PolicyPatch(account_id="parent", scope=int(Scope.ACCOUNT_GROUP)))
    before = handlers.claim(who, claim("child", {P: "p"}))  # before binding: the child's own space
    handlers.bind(admin, "parent", "child")
    handlers.bind(admin, "parent", "sibling")
    inside = handlers.claim(who, claim("child", {P: "p"}, DAY))
    assert inside.verdict is Verdict.DUPLICATE and inside.canonical_lead_id == before.canonical_lead_id
    # The claim recorded the phone in the group's space too, pointing at the child's lead: the sibling sees it.
    sibling = handlers.claim(who, claim("sibling", {P: "p"}, 2 * DAY))
    assert sibling.canonical_lead_id == before.canonical_lead_id
    during = handlers.claim(who, claim("child", {P: "q"}, 3 * DAY))
    handlers.unbind(admin, "child")
    after = handlers.claim(who, claim("child", {P: "q"}, 4 * DAY))
    assert after.verdict is Verdict.DUPLICATE and after.canonical_lead_id == during.canonical_lead_id
    spaces = {k.scope_account_id for k in handlers.explain(who, during.canonical_lead_id)}
    assert spaces == {"parent", "child"}


def test_a_person_is_matched_on_any_of_several_phones(handlers: DedupHandlers, tenant: str) -> None:
    """Ingest sends the alternate phones of a cell that held several numbers as extra PHONE fingerprints."""
    who = principal(tenant, Role.SERVICE)
    both = ClaimCommand(
        account_id="acct",
        candidate_lead_id=unique("lead"),
        fingerprints=((int(P), keyed("p-main")), (int(P), keyed("p-alt")), (int(P), keyed("p-main"))),
        submit_time=None,
        request_id=unique("req"),
    )
    first = handlers.claim(who, both)
    by_alternate = handlers.claim(who, claim("acct", {P: "p-alt"}))
    assert first.verdict is Verdict.NEW
    assert (
        by_alternate.verdict is Verdict.DUPLICATE
        and by_alternate.canonical_lead_id == first.canonical_lead_id
    )
