"""Telephony business metrics (METRICS.md; bounded labels only: outcome and status names, never a tenant, lead,
call or phone).

- ``leadflow_telephony_calls_started_total``: calls started (idempotent replays not counted again);
- ``leadflow_telephony_calls_completed_total{outcome}``: ``call.completed`` events recorded, corrections included;
- ``leadflow_telephony_numbers{status}``: masked numbers per status now (refreshed by a background task);
- ``leadflow_telephony_bindings_active``: bindings holding a place on their number now (same task).
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from services.telephony.domain.numbers import NumberStatus
from services.telephony.domain.outcomes import CallOutcome

CALLS_STARTED = Counter("leadflow_telephony_calls_started_total", "Calls started through masked numbers.")
CALLS_COMPLETED = Counter(
    "leadflow_telephony_calls_completed_total",
    "call.completed events recorded (first announcements and corrections), by outcome.",
    ["outcome"],
)
NUMBERS = Gauge("leadflow_telephony_numbers", "Masked numbers of every tenant's pool, by status.", ["status"])
BINDINGS_ACTIVE = Gauge(
    "leadflow_telephony_bindings_active", "A-X-B bindings holding a place on their number."
)


def count_completed(outcome: CallOutcome | None) -> None:
    if outcome is not None:
        CALLS_COMPLETED.labels(outcome.name).inc()


def set_pool(counts: dict[NumberStatus, int], bindings: int) -> None:
    for status, count in counts.items():
        NUMBERS.labels(status.name).set(count)
    BINDINGS_ACTIVE.set(bindings)
