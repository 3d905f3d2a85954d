"""Concurrent claims through the handlers from many threads (each its own connection): the database decides."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import sqlalchemy as sa

from services.common.auth import Role
from services.common.db import Database
from services.dedup.adapters.db.tables import dedup_keys
from services.dedup.domain.model import Dimension, Verdict
from services.dedup.domain.policy import PolicyPatch
from tests.dedup.helpers import DedupHandlers, claim, principal

DAY = timedelta(days=1)
P, D, W = Dimension.PHONE, Dimension.DEVICE, Dimension.WECHAT


def run_all(handlers: DedupHandlers, tenant: str, commands, threads: int = 16):  # type: ignore[no-untyped-def]
    who = principal(tenant, Role.SERVICE)
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(lambda c: handlers.claim(who, c), commands))


def test_concurrent_claims_of_one_phone_give_exactly_one_new(handlers: DedupHandlers, tenant: str) -> None:
    results = run_all(handlers, tenant, [claim("acct", {P: "+8613800138000"}) for _ in range(200)])
    new = [r for r in results if r.verdict is Verdict.NEW]
    assert len(new) == 1
    assert {r.canonical_lead_id for r in results} == {new[0].canonical_lead_id}


def test_concurrent_returning_claims_repoint_the_expired_key_once(
    handlers: DedupHandlers, tenant: str
) -> None:
    """Compare-and-set: of many claims after the window, one is RETURNING, the others duplicates of it."""
    account = "acct"
    who = principal(tenant)
    handlers.update_policy(
        who, PolicyPatch(account_id=account, mask=("windows",), windows=((int(P), 30 * DAY),))
    )
    first = handlers.claim(who, claim(account, {P: "p"}))
    results = run_all(handlers, tenant, [claim(account, {P: "p"}, 31 * DAY) for _ in range(100)])
    returning = [r for r in results if r.verdict is Verdict.RETURNING]
    assert len(returning) == 1
    assert returning[0].matches[0].lead_id == first.canonical_lead_id
    duplicates = [r for r in results if r.verdict is Verdict.DUPLICATE]
    assert len(duplicates) == 99
    assert {r.canonical_lead_id for r in duplicates} == {returning[0].canonical_lead_id}


def test_overlapping_multi_dimension_claims_stay_consistent(
    handlers: DedupHandlers, tenant: str, dedup_database: Database
) -> None:
    """Claims over shared phones, devices and WeChat ids in random combinations: lost races (deadlocks on
    PostgreSQL) are retried, nothing fails, and every value ends up as exactly one key."""
    account = "acct"
    handlers.update_policy(
        principal(tenant),
        PolicyPatch(account_id=account, mask=("dimensions",), dimensions=(int(P), int(W), int(D))),
    )
    rng = random.Random(7)
    commands = []
    for _ in range(300):
        prints = {P: f"p{rng.randrange(20)}", D: f"d{rng.randrange(20)}", W: f"w{rng.randrange(20)}"}
        commands.append(claim(account, dict(rng.sample(sorted(prints.items()), rng.randint(1, 3)))))
    results = run_all(handlers, tenant, commands)
    assert len(results) == 300
    with dedup_database.read() as session:
        counts = session.execute(
            sa.select(dedup_keys.c.dimension, dedup_keys.c.key_hash, sa.func.count())
            .where(dedup_keys.c.tenant_id == tenant)
            .group_by(dedup_keys.c.dimension, dedup_keys.c.key_hash)
        ).all()
    assert {count for *_, count in counts} == {1}
    distinct = {(d, h) for c in commands for d, h in c.fingerprints}
    assert len(counts) == len(distinct)
    # Every NEW lead is its own canonical lead; every duplicate points at a lead that was NEW.
    new_leads = {r.canonical_lead_id for r in results if r.verdict is Verdict.NEW}
    assert all(r.canonical_lead_id in new_leads for r in results)


def test_claims_racing_with_forget_never_fail(
    handlers: DedupHandlers, tenant: str, dedup_database: Database
) -> None:
    """ForgetLead deleting keys while claims insert and read them: a key that vanishes between a claim's insert
    and its read makes the claim start over, never fail; one key remains at most."""
    who = principal(tenant, Role.SERVICE)
    first = handlers.claim(who, claim("acct", {P: "p"}))
    stop = threading.Event()

    def forget_loop() -> None:
        lead = first.canonical_lead_id
        while not stop.is_set():
            handlers.forget(who, lead, "")
            with dedup_database.read() as session:
                current = session.execute(
                    sa.select(dedup_keys.c.lead_id).where(dedup_keys.c.tenant_id == tenant)
                ).scalar()
            lead = current or lead

    forgetter = threading.Thread(target=forget_loop)
    forgetter.start()
    try:
        results = run_all(handlers, tenant, [claim("acct", {P: "p"}) for _ in range(150)], threads=8)
    finally:
        stop.set()
        forgetter.join()
    assert len(results) == 150
    with dedup_database.read() as session:
        count = session.execute(
            sa.select(sa.func.count()).select_from(dedup_keys).where(dedup_keys.c.tenant_id == tenant)
        ).scalar()
    assert count in (0, 1)
