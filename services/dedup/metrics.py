"""Dedup business metrics (bounded labels: verdict names only, never a tenant, account or lead).

Transaction retries and aborts are the runtime's (``leadflow_db_transaction_retries_total``,
``leadflow_db_transactions_aborted_total``)."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import Counter

from services.dedup.domain.model import ClaimResult

CLAIMS = Counter(
    "leadflow_dedup_claims_total", "Claims answered, by verdict (idempotent replays included).", ["verdict"]
)


def count_claims(outcomes: Iterable[object]) -> None:
    for outcome in outcomes:
        if isinstance(outcome, ClaimResult):
            CLAIMS.labels(outcome.verdict.name).inc()
