"""The batch lookups probe their unique indexes key by key: a plan that reads every row of the tenant made
BatchClaimLeads at 10^6 keys seven times slower than at 10^4 (bench.dedup_claims, p99 ratio 15). SQLite's
EXPLAIN QUERY PLAN of each statement names the full index, never the tenant prefix alone."""

from __future__ import annotations

import sqlalchemy as sa

from services.dedup.adapters.db import keys, requests
from services.dedup.adapters.db.tables import dedup_keys


def _plan(engine: sa.Engine, statement: sa.Executable, params: dict[str, object]) -> list[str]:
    sql = statement.params(**params).compile(
        engine, compile_kwargs={"literal_binds": True, "render_postcompile": True}
    )
    with engine.connect() as connection:
        return [row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]


def _only_full_probes(plan: list[str]) -> bool:
    searches = [step for step in plan if step.startswith(("SEARCH", "SCAN"))]
    return bool(searches) and all(step.startswith("SEARCH") and "=? AND " in step for step in searches)


def test_key_and_request_lookups_of_a_batch_probe_their_unique_indexes() -> None:
    engine = sa.create_engine("sqlite://")
    dedup_keys.metadata.create_all(engine)
    key_statements, request_statements = keys._Statements("sqlite"), requests._Statements("sqlite")
    refs = {"tenant": "t", "s0": "scope", "d0": 1, "h0": b"x", "s1": "scope", "d1": 2, "h1": b"y"}
    assert _only_full_probes(_plan(engine, key_statements.find(2), refs))
    taken = {"tenant": "t", "rids": ["r1", "r2"], "cids": ["c1", "c2"]}
    plan = _plan(engine, request_statements.taken, taken)
    assert _only_full_probes(plan), plan
