"""The batch lookups probe their unique indexes key by key, at the sizes a batch really has: a plan that reads
every key of the tenant made BatchClaimLeads at 10^6 keys seven times slower than at 10^4 (bench.dedup_claims),
and an OR of exact probes that SQLite planned well for two keys was planned as that scan from a few dozen on.

Each lookup runs through its repository against a SQLite file holding 5,000 keys and requests; the statement it
sent is then asked for its plan (EXPLAIN QUERY PLAN), which must search the full unique index, never scan."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from services.common.db import Database
from services.dedup.adapters.db.keys import SqlKeys
from services.dedup.adapters.db.requests import SqlRequests
from services.dedup.adapters.db.tables import dedup_keys
from services.dedup.domain.model import Dimension, KeyOrigin
from services.dedup.domain.ports import KeyRef, NewKey
from tests.harness import SelectsSent

TENANT = "t"
STORED = 5000


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('plans') / 'dedup.db'}")
    dedup_keys.metadata.create_all(db.engine)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with db.transaction() as connection:
        SqlKeys(connection).insert_new(
            TENANT,
            [NewKey(_ref(n), f"lead-{n}", now, "acct", KeyOrigin(1)) for n in range(STORED)],
        )
    yield db
    db.dispose()


def _ref(n: int) -> KeyRef:
    return KeyRef(f"scope-{n % 3}", Dimension(1 + n % 2), hashlib.sha256(str(n).encode()).digest())


def _plans(database: Database, sent: SelectsSent) -> list[list[str]]:
    plans = []
    raw = database.engine.raw_connection()
    try:
        for statement, parameters in sent.statements:
            rows = raw.cursor().execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
            plans.append([row[3] for row in rows])
    finally:
        raw.close()
    return plans


def _probes_only(plan: list[str]) -> bool:
    searches = [step for step in plan if step.startswith(("SEARCH", "SCAN"))]
    table_steps = [step for step in searches if "CONSTANT ROW" not in step and not step.startswith("SCAN v")]
    return bool(table_steps) and all(step.startswith("SEARCH") and "=? AND " in step for step in table_steps)


@pytest.mark.parametrize("count", [1, 2, 40, 300])
def test_a_key_lookup_probes_the_unique_index_for_every_size(database: Database, count: int) -> None:
    wanted = [_ref(n) for n in range(0, 2 * count, 2)]  # half stored (even n < STORED), half not when large
    with SelectsSent() as sent, database.read() as connection:
        found = SqlKeys(connection).existing(TENANT, wanted)
    assert found == {ref for n, ref in zip(range(0, 2 * count, 2), wanted, strict=True) if n < STORED}
    plans = _plans(database, sent)
    assert plans and all(_probes_only(plan) for plan in plans), plans


@pytest.mark.parametrize("count", [1, 100])
def test_a_request_lookup_probes_its_indexes_for_every_size(database: Database, count: int) -> None:
    with SelectsSent() as sent, database.read() as connection:
        taken = SqlRequests(connection).taken(
            TENANT, [f"r{n}" for n in range(count)], [f"c{n}" for n in range(count)]
        )
    assert taken == (set(), set())
    plans = _plans(database, sent)
    assert plans and all(_probes_only(plan) for plan in plans), plans
