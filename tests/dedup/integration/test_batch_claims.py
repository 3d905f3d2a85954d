"""BatchClaimLeads over the real store: fresh claims are read once per table and written in bulk, and a batch
answers exactly what the same claims one by one would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta

import sqlalchemy as sa

from services.common.auth import Role
from services.common.db import Database
from services.common.errors import DomainError
from services.dedup.domain.claims import ClaimCommand
from services.dedup.domain.model import ClaimResult, Dimension, Verdict
from services.dedup.domain.policy import PolicyPatch
from tests.dedup.helpers import DedupHandlers, claim, principal, unique

P, W, D = Dimension.PHONE, Dimension.WECHAT, Dimension.DEVICE
SECOND = timedelta(seconds=1)


@contextmanager
def counted_statements(database: Database) -> Iterator[list[str]]:
    """The SQL statements run on the write engine meanwhile (transaction control and PRAGMAs left out)."""
    seen: list[str] = []

    def listener(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if statement.split(None, 1)[0].upper() in {"SELECT", "INSERT", "UPDATE", "DELETE"}:
            seen.append(statement)

    sa.event.listen(database.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", listener)


def fresh_batch(size: int) -> list[ClaimCommand]:
    return [claim("acct", {P: unique("p"), D: unique("d")}, i * SECOND) for i in range(size)]


def test_a_batch_of_fresh_claims_runs_as_many_statements_for_100_claims_as_for_10(
    handlers: DedupHandlers, dedup_database: Database, tenant: str
) -> None:
    who = principal(tenant, Role.SERVICE)
    handlers.batch_claim(who, fresh_batch(3))  # the policy row exists from now on, like in production
    counts = {}
    for size in (10, 100):
        with counted_statements(dedup_database) as statements:
            results = handlers.batch_claim(who, fresh_batch(size))
        assert all(isinstance(r, ClaimResult) and r.verdict is Verdict.NEW for r in results)
        counts[size] = len(statements)
    assert counts[100] == counts[10], counts
    assert counts[100] <= 6  # requests read, policy read, keys read, two bulk inserts (one spare)


def mixed_claims(collect: str) -> list[ClaimCommand]:
    """Claims that exercise every reason to leave the in-memory path, in between fresh ones."""
    base = [
        claim("acct", {P: "p1"}, 0 * SECOND, lead="l0", request_id="r0"),
        claim("acct", {P: "p2", D: "d2"}, 1 * SECOND, lead="l1", request_id="r1"),
        claim("acct", {P: "p1"}, 2 * SECOND, lead="l2", request_id="r2"),  # duplicate of an earlier item
        claim("acct", {D: "d2", W: "w3"}, 3 * SECOND, lead="l3", request_id="r3"),  # shares a key with l1
        claim("acct", {P: "old"}, 4 * SECOND, lead="l4", request_id="r4"),  # duplicate of a stored lead
        claim("acct", {P: "p5"}, 5 * SECOND, lead="l5", request_id="r1"),  # request id reused, other claim
        claim("acct", {P: "p6"}, 6 * SECOND, lead="l1", request_id="r6"),  # candidate reused
        claim("acct", {P: "p7"}, 7 * SECOND, lead="l7", request_id="stored"),  # retry of a stored claim
        claim("acct", {P: "p8"}, 8 * SECOND, lead="l8", request_id="r8", collect=collect),
        claim("acct", {W: "w9"}, 9 * SECOND, lead="l9", request_id="r9"),
        claim("acct", {P: "p10"}, 10 * SECOND, lead="l10", request_id="r10"),
    ]
    return [*base, base[1], base[9]]  # exact retries within the batch: the same answer as the first


def outcome(result: ClaimResult | DomainError) -> object:
    if isinstance(result, DomainError):
        return (type(result).__name__, result.reason)
    return result


def test_a_batch_answers_and_stores_what_the_same_claims_one_by_one_would(handlers: DedupHandlers) -> None:
    answers = {}
    explained = {}
    for mode in ("one_by_one", "batch"):
        tenant = unique("tenant")
        who = principal(tenant, Role.SERVICE)
        for account in ("acct", "coll"):
            handlers.update_policy(
                principal(tenant),
                PolicyPatch(account_id=account, mask=("dimensions",), dimensions=(int(P), int(W), int(D))),
            )
        handlers.claim(who, claim("acct", {P: "old"}, -SECOND, lead="l-old", request_id="r-old"))
        handlers.claim(who, claim("acct", {P: "p7"}, -SECOND, lead="l7", request_id="stored"))
        claims = mixed_claims("coll")
        if mode == "batch":
            results = handlers.batch_claim(who, claims)
        else:
            results = []
            for command in claims:
                try:
                    results.append(handlers.claim(who, command))
                except DomainError as error:
                    results.append(error)
        answers[mode] = [outcome(r) for r in results]
        explained[mode] = {
            lead: sorted((k.dimension, k.scope_account_id, k.reason) for k in handlers.explain(who, lead))
            for lead in ("l-old", "l0", "l1", "l3", "l8", "l9", "l10")
        }
    assert answers["batch"] == answers["one_by_one"]
    assert explained["batch"] == explained["one_by_one"]
    verdicts = [a.verdict if isinstance(a, ClaimResult) else a for a in answers["batch"]]
    assert verdicts[2] is Verdict.DUPLICATE and verdicts[4] is Verdict.DUPLICATE
    assert verdicts[5] == ("RequestIdReused", "REQUEST_ID_REUSED")


def test_a_retried_batch_gets_the_answers_stored_by_the_bulk_path(
    handlers: DedupHandlers, tenant: str
) -> None:
    who = principal(tenant, Role.SERVICE)
    claims = fresh_batch(20)
    first = handlers.batch_claim(who, claims)
    assert handlers.batch_claim(who, claims) == first
    changed = replace(
        claims[3], submit_time=claims[3].submit_time + SECOND if claims[3].submit_time else None
    )
    assert outcome(handlers.batch_claim(who, [changed])[0]) == ("RequestIdReused", "REQUEST_ID_REUSED")


class HidesKeys:
    """A unit-of-work factory whose first transaction does not see the index's keys when it looks them up in
    bulk, as if another replica inserted them just after that read."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.attempts = inner, 0

    def __call__(self, session, events):  # type: ignore[no-untyped-def]
        self.attempts += 1
        uow = self.inner(session, events)
        if self.attempts == 1:
            uow.keys.existing = lambda tenant, refs: set()
        return uow


def test_a_key_inserted_by_someone_else_after_the_bulk_read_runs_the_chunk_again(
    handlers: DedupHandlers, tenant: str
) -> None:
    who = principal(tenant, Role.SERVICE)
    earlier = handlers.claim(who, claim("acct", {P: "taken"}))
    transactions = handlers.transactions
    hiding = HidesKeys(transactions._unit_of_work)  # noqa: SLF001 - wrap the real store
    transactions._unit_of_work = hiding  # type: ignore[attr-defined]  # noqa: SLF001
    try:
        results = handlers.batch_claim(who, [claim("acct", {P: "taken"}, SECOND), *fresh_batch(3)])
    finally:
        transactions._unit_of_work = hiding.inner  # type: ignore[attr-defined]  # noqa: SLF001
    assert hiding.attempts == 2
    assert isinstance(results[0], ClaimResult) and results[0].verdict is Verdict.DUPLICATE
    assert results[0].canonical_lead_id == earlier.canonical_lead_id
    assert [r.verdict for r in results[1:] if isinstance(r, ClaimResult)] == [Verdict.NEW] * 3
