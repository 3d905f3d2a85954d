"""EraseLead over a real database (SQLite file and PostgreSQL): after the erasure no table of ingest holds the lead's
phone, name, WeChat id, e-mail, IP or device id in any form, what accounting needs is still there, ``lead.erased`` is
in the outbox once, and on SQLite the database file itself (free pages included) no longer holds the values."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from services.common.auth import Principal, Role
from services.common.clock import FakeClock
from services.common.db import Database
from services.common.dbtx import SqlTransactions
from services.common.events import LEAD_ERASED
from services.common.migrations import upgrade
from services.common.paging import PageTokens
from services.common.sealing import KeyRing, Sealer
from services.ingest.adapters.db.tables import messaging, metadata, push, submissions
from services.ingest.adapters.db.uow import SqlIngestUnitOfWork
from services.ingest.bootstrap import MIGRATIONS_DIR
from services.ingest.converters.events import EventEncoder
from services.ingest.domain.events import CallCompleted
from services.ingest.domain.fingerprints import Fingerprinter
from services.ingest.domain.model import SubmitCommand, Verdict
from services.ingest.domain.push import AcceptedLead, PushRule
from services.ingest.handlers.erasure import ErasureHandlers
from services.ingest.handlers.events import EventHandlers
from services.ingest.handlers.push import PushHandlers
from services.ingest.handlers.rules import ScreeningCache
from services.ingest.handlers.submit import SubmitHandlers
from tests.common.personal_data import byte_forms, found_in, mobile_forms, rows_holding
from tests.ingest.fakes import FakeDedup

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
SERVICE = Principal("t1", "svc", Role.SERVICE)
ADMIN = Principal("t1", "privacy-officer", Role.ADMIN)
PERSON = ("张三丰", "zhangsan_wx88", "zhang.san@example.com", "203.0.113.77", "867530912345678")
OTHER = "13912345678"


@pytest.fixture
def database(database_url: str):  # type: ignore[no-untyped-def]
    upgrade(MIGRATIONS_DIR, database_url)
    db = Database(database_url)
    yield db
    db.dispose()


class Ingest:
    def __init__(self, database: Database) -> None:
        sealer = Sealer(KeyRing.parse("k:" + "B" * 43 + "="))
        self.tx = SqlTransactions(database, SqlIngestUnitOfWork, messaging, EventEncoder(sealer))
        self.clock = FakeClock(T0)
        self.dedup = FakeDedup()
        self.submit = SubmitHandlers(
            self.tx, self.dedup, Fingerprinter(b"f" * 32), self.clock, ScreeningCache()
        )
        self.erasure = ErasureHandlers(self.tx, self.dedup, self.clock)
        self.push = PushHandlers(self.tx, self.clock, PageTokens(b"p" * 32))
        self.events = EventHandlers(self.clock)


def command(request_id: str, phone: str = "138 0013 8000", **fields: object) -> SubmitCommand:
    name, wechat, email, ip, device = PERSON
    values: dict[str, object] = dict(
        account_id="a1",
        channel=1,
        traffic_source=1,
        business_source=1,
        request_id=request_id,
        phone=phone,
        name=name,
        wechat=wechat,
        email=email,
        ip=ip,
        device_id=device,
        attributes={"remark": "白天打 13800138000 或 13900000000"},
    )
    values.update(fields)
    return SubmitCommand(**values)  # type: ignore[arg-type]


async def test_nothing_of_the_person_is_left_in_any_table(database: Database, tmp_path: Path) -> None:
    ingest = Ingest(database)
    first = await ingest.submit.submit(SERVICE, command("r1"))
    lead = first.lead
    assert lead is not None
    await ingest.submit.submit(SERVICE, command("r2", account_id="a2"))  # attached duplicate
    await ingest.tx.write(
        lambda uow: ingest.events.on_call_completed(
            uow, CallCompleted("t1", lead.id, "call-1", "SUSPENDED", "+8613800138000")
        )
    )
    rejected = await ingest.submit.submit(
        SERVICE, command("r3", name="张三", wechat="", email="", ip="", device_id="")
    )
    assert rejected.verdict is Verdict.REJECTED  # a dead number now: stored for audit, attached to no lead
    await ingest.tx.write(
        lambda uow: uow.push.upsert_rule(
            PushRule("t1", "a1", "https://crm.example.com/h", True, (), "s" * 32, T0)
        )
    )
    scheduled = await ingest.tx.write(
        lambda uow: ingest.push.schedule(uow, AcceptedLead("evt-1", "t1", "a1", lead.id, {"id": lead.id}))
    )
    assert scheduled is not None and scheduled.payload["name"] == PERSON[0]
    someone_else = await ingest.submit.submit(
        SERVICE,
        command(
            "r4", phone=OTHER, name="李四", wechat="lisi_wx", email="", ip="", device_id="", attributes={}
        ),
    )
    values = [*mobile_forms("13800138000"), *PERSON, "张三"]
    assert rows_holding(database, metadata, values)  # positive control: the scan finds the person before

    result = await ingest.erasure.erase(ADMIN, lead.id)

    assert result.erased_now and result.lead.erase_time == T0
    assert rows_holding(database, metadata, values) == []
    # The other person is untouched, and so is what accounting and audits need.
    assert rows_holding(database, metadata, [OTHER, "李四"]) == [
        ("leads", "name"),
        ("leads", "phone"),
        ("submissions", "name"),
        ("submissions", "phone"),
    ]
    assert someone_else.lead is not None
    with database.read() as session:
        kept = session.execute(
            sa.select(submissions.c.request_id, submissions.c.verdict, submissions.c.lead_id).order_by(
                submissions.c.request_id
            )
        ).all()
        deliveries = session.execute(sa.select(push.deliveries.c.status, push.deliveries.c.last_error)).all()
        erased_events = session.execute(
            sa.select(messaging.outbox.c.aggregate_id).where(messaging.outbox.c.subject == LEAD_ERASED)
        ).all()
    assert [(r, Verdict(v)) for r, v, _ in kept] == [
        ("r1", Verdict.NEW),
        ("r2", Verdict.DUPLICATE),
        ("r3", Verdict.REJECTED),
        ("r4", Verdict.NEW),
    ]
    assert [tuple(d) for d in deliveries] == [(4, "the lead was erased")]  # given up, nothing left to send
    assert [e.aggregate_id for e in erased_events] == [lead.id]

    again = await ingest.erasure.erase(ADMIN, lead.id)
    assert not again.erased_now and again.lead == result.lead
    with database.read() as session:
        count = session.execute(
            sa.select(sa.func.count())
            .select_from(messaging.outbox)
            .where(messaging.outbox.c.subject == LEAD_ERASED)
        ).scalar_one()
    assert count == 1


async def test_sqlite_leaves_no_copy_in_the_file(tmp_path: Path) -> None:
    """secure_delete (services.common.db): the replaced values are zeroed in the file, free space included."""
    path = tmp_path / "ingest.db"
    url = f"sqlite:///{path}"
    upgrade(MIGRATIONS_DIR, url)
    database = Database(url)
    ingest = Ingest(database)
    # Attributes longer than a page: the row spills to overflow pages, which the erasure frees.
    large = {f"answer{i}": "答" * 1000 for i in range(6)} | {"remark": "13800138000"}
    lead = await ingest.submit.submit(SERVICE, command("r1", attributes=large))
    assert lead.lead is not None
    for n in range(30):  # other people around the erased one, on the same pages
        await ingest.submit.submit(
            SERVICE,
            command(
                f"o{n}",
                phone=f"1391234{n:04d}",
                name="",
                wechat="",
                email="",
                ip="",
                device_id="",
                attributes={},
            ),
        )
    await ingest.erasure.erase(ADMIN, lead.lead.id)
    database.dispose()  # the last connection checkpoints the WAL into the file and removes it
    assert not (tmp_path / "ingest.db-wal").exists()
    data = path.read_bytes()
    assert found_in(data, byte_forms(["+8613912340007"]))  # positive control: the others are there
    assert found_in(data, byte_forms([*mobile_forms("13800138000"), *PERSON])) == []


async def test_the_rejected_submissions_lookup_uses_the_partial_index(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ingest.db'}"
    upgrade(MIGRATIONS_DIR, url)
    database = Database(url)
    try:
        with database.read() as session:
            from services.ingest.adapters.db.tables import REJECTED_SUBMISSION

            query = sa.update(submissions).where(
                submissions.c.tenant_id == "t1", REJECTED_SUBMISSION, submissions.c.phone.in_(["+86138"])
            )
            sql = query.values(name="").compile(
                dialect=session.dialect, compile_kwargs={"literal_binds": True}
            )
            plan = session.execute(sa.text(f"EXPLAIN QUERY PLAN {sql}")).all()
        assert any("ix_submissions_rejected_phone" in str(step) for step in plan), plan
    finally:
        database.dispose()


async def test_concurrent_erasures_of_one_lead_record_one_event(database: Database) -> None:
    import asyncio

    ingest = Ingest(database)
    lead = (await ingest.submit.submit(SERVICE, command("r1"))).lead
    assert lead is not None
    results = await asyncio.gather(*(ingest.erasure.erase(ADMIN, lead.id) for _ in range(6)))
    assert sum(r.erased_now for r in results) == 1
    assert len({r.lead.erase_time for r in results}) == 1
    with database.read() as session:
        count = session.execute(
            sa.select(sa.func.count())
            .select_from(messaging.outbox)
            .where(messaging.outbox.c.subject == LEAD_ERASED)
        ).scalar_one()
    assert count == 1
