"""Dedup business metrics (bounded labels: verdict and outcome names only, never a tenant, account or lead)."""

from __future__ import annotations

from prometheus_client import Counter

CLAIMS = Counter(
    "leadflow_dedup_claims_total", "Claims answered, by verdict (idempotent replays included).", ["verdict"]
)
TRANSACTION_RETRIES = Counter(
    "leadflow_dedup_transaction_retries_total",
    "Transactions run again after losing a race (deadlock, serialization failure, compare-and-set).",
)
TRANSACTIONS_ABORTED = Counter(
    "leadflow_dedup_transactions_aborted_total", "Calls answered ABORTED after the last allowed retry."
)
