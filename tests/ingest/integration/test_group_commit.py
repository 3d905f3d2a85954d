"""Group commit of SubmitLead: concurrent calls of a tenant stored together (one BatchClaimLeads call, one write
transaction), each caller answered on its own, with the idempotency of a lone call."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from services.common.auth import Principal, Role
from services.common.clock import FakeClock
from services.common.db import Database
from services.common.dbtx import SqlTransactions
from services.common.errors import DomainError, InvalidArgument, Unavailable
from services.common.migrations import upgrade
from services.common.sealing import KeyRing, Sealer
from services.ingest.adapters.db.tables import leads, messaging, submissions
from services.ingest.adapters.db.uow import SqlIngestUnitOfWork
from services.ingest.bootstrap import MIGRATIONS_DIR
from services.ingest.converters.events import EventEncoder
from services.ingest.domain.fingerprints import Fingerprinter
from services.ingest.domain.model import SubmitResult, Verdict
from services.ingest.domain.ports import ClaimAnswer, ClaimRequest
from services.ingest.handlers.rules import ScreeningCache
from services.ingest.handlers.submit import RequestIdReused, SubmitConfig, SubmitHandlers
from tests.ingest.fakes import FakeDedup
from tests.ingest.integration.test_submit_pipeline import T0, _count, command

PRINCIPAL = Principal("t1", "svc", Role.SERVICE)


class CountingDedup(FakeDedup):
    def __init__(self) -> None:
        super().__init__()
        self.unary_calls = 0
        self.batch_calls = 0
        self.fail_with: DomainError | None = None

    async def claim(self, tenant_id: str, request: ClaimRequest) -> ClaimAnswer:
        if self.fail_with is not None:
            raise self.fail_with
        self.unary_calls += 1
        return await super().claim(tenant_id, request)

    async def batch_claim(
        self, tenant_id: str, requests: Sequence[ClaimRequest]
    ) -> list[ClaimAnswer | DomainError]:
        if self.fail_with is not None:
            raise self.fail_with
        self.batch_calls += 1
        return [await FakeDedup.claim(self, tenant_id, request) for request in requests]


class CountingTransactions(SqlTransactions[SqlIngestUnitOfWork]):
    writes = 0

    def write_now(self, work):  # type: ignore[no-untyped-def]
        type(self).writes += 1
        return super().write_now(work)


@pytest.fixture
def database(database_url: str):  # type: ignore[no-untyped-def]
    upgrade(MIGRATIONS_DIR, database_url)
    db = Database(database_url)
    yield db
    db.dispose()


def grouped(
    database: Database, dedup: CountingDedup, window: float = 0.2, sizes: list[int] | None = None
) -> tuple[SubmitHandlers, type]:
    class Counted(CountingTransactions):
        writes = 0

    transactions = Counted(
        database, SqlIngestUnitOfWork, messaging, EventEncoder(Sealer(KeyRing.parse("k:" + "B" * 43 + "=")))
    )
    handlers = SubmitHandlers(
        transactions,
        dedup,
        Fingerprinter(b"f" * 32),
        FakeClock(T0),
        ScreeningCache(),
        config=SubmitConfig(settle_seconds=0.2, group_window_seconds=window, group_max=64),
        observe_group=(sizes if sizes is not None else []).append,
    )
    return handlers, Counted


async def submit_all(handlers: SubmitHandlers, commands) -> list[SubmitResult | BaseException]:  # type: ignore[no-untyped-def]
    return await asyncio.gather(*(handlers.submit(PRINCIPAL, c) for c in commands), return_exceptions=True)


def phone(n: int) -> str:
    return f"1380013{n:04d}"


async def test_concurrent_submissions_share_one_claim_call_and_one_write(database: Database) -> None:
    dedup, sizes = CountingDedup(), []
    handlers, counted = grouped(database, dedup, sizes=sizes)
    commands = [command(request_id=f"r{n}", phone=phone(n)) for n in range(12)]
    results = await submit_all(handlers, commands)
    assert all(isinstance(r, SubmitResult) and r.verdict is Verdict.NEW for r in results)
    assert [r.submission.request_id for r in results] == [c.request_id for c in commands]  # type: ignore[union-attr]
    assert [r.lead.contact.phone for r in results] == [f"+86{phone(n)}" for n in range(12)]  # type: ignore[union-attr]
    assert dedup.batch_calls == 1 and dedup.unary_calls == 0
    assert counted.writes == 1
    assert sizes == [12]  # what leadflow_ingest_submit_group_size observes
    assert _count(database, submissions) == 12 and _count(database, leads) == 12


async def test_a_lone_call_is_a_plain_unary_submission(database: Database) -> None:
    dedup, sizes = CountingDedup(), []
    handlers, counted = grouped(database, dedup, window=0.01, sizes=sizes)
    result = await handlers.submit(PRINCIPAL, command(request_id="alone"))
    assert result.verdict is Verdict.NEW
    assert dedup.unary_calls == 1 and dedup.batch_calls == 0 and counted.writes == 1
    assert sizes == [1]


async def test_duplicates_within_a_group(database: Database) -> None:
    """The same request twice (a client retrying at once), and two requests for one phone, in one group."""
    dedup = CountingDedup()
    handlers, _ = grouped(database, dedup)
    same = command(request_id="twice", phone=phone(1))
    results = await submit_all(
        handlers,
        [same, same, command(request_id="p-a", phone=phone(2)), command(request_id="p-b", phone=phone(2))],
    )
    first, again, a, b = results
    assert isinstance(first, SubmitResult) and isinstance(again, SubmitResult)
    assert first.submission.id == again.submission.id and again.replayed and not first.replayed
    assert isinstance(a, SubmitResult) and isinstance(b, SubmitResult)
    assert (a.verdict, b.verdict) == (Verdict.NEW, Verdict.DUPLICATE)
    assert a.lead is not None and b.lead is not None and a.lead.id == b.lead.id
    assert b.lead.submission_count == 2
    assert _count(database, submissions) == 3 and _count(database, leads) == 2


async def test_one_invalid_submission_fails_only_its_caller(database: Database) -> None:
    dedup = CountingDedup()
    handlers, counted = grouped(database, dedup)
    commands = [command(request_id=f"v{n}", phone=phone(n)) for n in range(5)]
    commands.insert(2, command(request_id="bad", account_id=""))
    results = await submit_all(handlers, commands)
    assert isinstance(results[2], InvalidArgument)
    assert all(
        isinstance(r, SubmitResult) and r.verdict is Verdict.NEW for i, r in enumerate(results) if i != 2
    )
    assert dedup.batch_calls == 1 and counted.writes == 1
    assert _count(database, submissions) == 5


async def test_reused_request_id_with_other_content_in_a_group(database: Database) -> None:
    handlers, _ = grouped(database, CountingDedup())
    results = await submit_all(
        handlers, [command(request_id="same", phone=phone(1)), command(request_id="same", phone=phone(2))]
    )
    assert isinstance(results[0], SubmitResult) and isinstance(results[1], RequestIdReused)
    assert _count(database, submissions) == 1


async def test_retries_are_idempotent_within_and_across_groups(database: Database) -> None:
    dedup = CountingDedup()
    handlers, _ = grouped(database, dedup)
    commands = [command(request_id=f"i{n}", phone=phone(n)) for n in range(6)]
    first = await submit_all(handlers, commands)
    # The same six again, in another group, together with a new one; then one of them alone.
    again = await submit_all(handlers, [*commands, command(request_id="fresh", phone=phone(99))])
    alone = await handlers.submit(PRINCIPAL, commands[3])
    for before, after in zip(first, again[:6], strict=True):
        assert isinstance(before, SubmitResult) and isinstance(after, SubmitResult)
        assert after.replayed and after.submission.id == before.submission.id
        assert after.lead is not None and before.lead is not None and after.lead.id == before.lead.id
    assert isinstance(again[6], SubmitResult) and not again[6].replayed
    assert alone.replayed and alone.submission.id == first[3].submission.id  # type: ignore[union-attr]
    assert _count(database, submissions) == 7 and _count(database, leads) == 7


async def test_dedup_down_fails_every_caller_of_the_group_and_stores_nothing(database: Database) -> None:
    dedup = CountingDedup()
    dedup.fail_with = Unavailable("down", reason="DEDUP_UNAVAILABLE")
    handlers, counted = grouped(database, dedup)
    results = await submit_all(handlers, [command(request_id=f"d{n}", phone=phone(n)) for n in range(4)])
    assert all(isinstance(r, Unavailable) for r in results)
    assert counted.writes == 0 and _count(database, submissions) == 0
