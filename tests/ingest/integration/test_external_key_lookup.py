"""A submission's external id (the platform's own lead id, 线索ID) is looked up by its whole key, account, channel and
external id, through the partial unique index that holds it: asked by the external id alone, SQLite read every
submission of the tenant through another index for each batch.

Repeats of stored external ids under new request ids are answered with the stored submissions (on both databases),
other accounts' equal external ids are not mistaken for them, and on SQLite every lookup of the repeat batch searches
a whole index key (EXPLAIN QUERY PLAN), never the tenant alone."""

from __future__ import annotations

import uuid

from services.common.auth import Principal, Role
from services.common.db import Database, is_sqlite
from services.ingest.domain.model import SubmitResult, Verdict
from tests.harness import SelectsSent
from tests.ingest.fakes import FakeDedup
from tests.ingest.integration.test_submit_pipeline import command, handlers_with

PRINCIPAL = Principal("t1", "svc", Role.SERVICE)
STORED = 300


def _sqlite_plans(database: Database, reads: SelectsSent) -> list[list[str]]:
    raw = database.engine.raw_connection()
    try:
        return [
            [row[3] for row in raw.cursor().execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()]
            for statement, parameters in reads.statements
        ]
    finally:
        raw.close()


def _external(n: int) -> str:
    return f"clue-{n:06d}"


async def test_repeated_external_ids_are_answered_by_their_whole_key(database: Database) -> None:
    handlers = handlers_with(database, FakeDedup())
    stored = [
        command(request_id=uuid.uuid4().hex, phone=f"138{n:08d}", external_id=_external(n))
        for n in range(STORED)
    ]
    first = await handlers.submit_batch(PRINCIPAL, stored)
    assert all(isinstance(r, SubmitResult) and r.verdict is Verdict.NEW for r in first)

    repeats = [  # half of them repeat a stored external id under a new request id, half are new
        command(request_id=uuid.uuid4().hex, phone=f"139{n:08d}", external_id=_external(n))
        for n in range(0, 2 * 50, 2)
    ]
    with SelectsSent(" submissions") as reads:
        again = await handlers.submit_batch(PRINCIPAL, repeats)
    replayed = [r for r in again if isinstance(r, SubmitResult) and r.replayed]
    assert len(replayed) == 50
    by_id = {r.submission.id: r for r in first if isinstance(r, SubmitResult)}
    assert all(by_id[r.submission.id].submission.external_id == r.submission.external_id for r in replayed)

    if is_sqlite(database.url):
        plans = _sqlite_plans(database, reads)
        searches = [
            step for plan in plans for step in plan if step.startswith(("SEARCH s", "SEARCH submissions"))
        ]
        assert searches, plans
        assert not [step for step in searches if step.endswith("(tenant_id=?)")], plans


async def test_an_equal_external_id_of_another_account_is_a_new_submission(database: Database) -> None:
    handlers = handlers_with(database, FakeDedup())
    mine = command(request_id=uuid.uuid4().hex, phone="13800000001", external_id="clue-1", account_id="a1")
    theirs = command(request_id=uuid.uuid4().hex, phone="13800000002", external_id="clue-1", account_id="a2")
    [stored] = await handlers.submit_batch(PRINCIPAL, [mine])
    [other] = await handlers.submit_batch(PRINCIPAL, [theirs])
    assert isinstance(stored, SubmitResult) and isinstance(other, SubmitResult)
    assert not other.replayed and other.submission.id != stored.submission.id
