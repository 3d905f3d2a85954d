"""Helpers shared by the dedup tests: keyed hashes as ingest computes them, principals, claim commands."""

from __future__ import annotations

import hashlib
import hmac
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from services.common.auth import Principal, Role
from services.common.clock import Clock
from services.common.paging import PageTokens
from services.common.uow import Transactions
from services.dedup.domain.claims import ClaimCommand
from services.dedup.domain.model import Dimension
from services.dedup.domain.ports import DedupUnitOfWork
from services.dedup.handlers.claims import ClaimHandlers
from services.dedup.handlers.erasure import ErasureHandlers
from services.dedup.handlers.policies import PolicyHandlers
from tests.harness import run_sync

# The tenant's dedup HMAC key, held by ingest; dedup never sees it (nor the raw values).
HMAC_KEY = b"tenant-dedup-key-held-by-ingest-only"
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
_counter = itertools.count(1)


def keyed(value: str) -> bytes:
    """HMAC-SHA256 of a normalised value, as ingest computes it."""
    return hmac.new(HMAC_KEY, value.encode(), hashlib.sha256).digest()


def principal(tenant: str = "t1", role: Role = Role.ADMIN, subject: str = "alice") -> Principal:
    return Principal(tenant_id=tenant, subject=subject, role=role)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_counter)}"


def claim(
    account: str,
    fingerprints: dict[Dimension, str],
    at: datetime | timedelta = T0,
    *,
    lead: str | None = None,
    request_id: str | None = None,
    collect: str = "",
) -> ClaimCommand:
    """A claim of raw values hashed the way ingest hashes them; ``at`` is a time or an offset from T0."""
    moment = T0 + at if isinstance(at, timedelta) else at
    return ClaimCommand(
        account_id=account,
        candidate_lead_id=lead or unique("lead"),
        fingerprints=tuple((int(dim), keyed(value)) for dim, value in fingerprints.items()),
        submit_time=moment,
        request_id=request_id or unique("req"),
        collect_account_id=collect,
    )


class DedupHandlers:
    """The three dedup handler families behind one object whose methods run to completion when called, so tests
    (and their threads) call use cases as plain functions: ``handlers.claim(principal, command)``."""

    def __init__(self, transactions: Transactions[DedupUnitOfWork], clock: Clock, tokens: PageTokens) -> None:
        self.transactions = transactions
        self.policies = PolicyHandlers(transactions, clock, tokens)
        self.claims = ClaimHandlers(transactions, clock)
        self.erasure = ErasureHandlers(transactions, clock)

    def __getattr__(self, name: str) -> Any:
        for family in (self.policies, self.claims, self.erasure):
            method = getattr(family, name, None)
            if method is not None:
                return lambda *args, **kwargs: run_sync(method(*args, **kwargs))
        raise AttributeError(name)
