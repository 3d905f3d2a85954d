"""Refund business metrics (METRICS.md; bounded labels only: reason and currency codes, never a tenant, account,
lead or case).

- ``leadflow_refund_cases_opened_total``: cases opened (one per charge with a cost);
- ``leadflow_refund_cases_evaluated_total``: case evaluations by consumers and timers (one per open case of the lead
  per event or timer);
- ``leadflow_refund_refunds_total{reason}`` and ``leadflow_refund_refunded_amount_fen_total{reason,currency}``:
  refunds paid, by every path (settling, RequestRefund, approved appeals);
- ``leadflow_refund_ledger_imbalance_fen{currency}``: debits minus credits over the whole ledger, set by the ledger
  check (``workers``); 0 when balanced, anything else is a bug to page on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from prometheus_client import Counter, Gauge

from services.refund.domain.refunds import Refund
from services.refund.handlers.decisions import Refresh

CASES_OPENED = Counter(
    "leadflow_refund_cases_opened_total", "Refund cases opened, one per charge with a cost."
)
CASES_EVALUATED = Counter(
    "leadflow_refund_cases_evaluated_total", "Evaluations of open cases by consumers and timers."
)
REFUNDS = Counter("leadflow_refund_refunds_total", "Refunds paid, by reason.", ["reason"])
REFUNDED_FEN = Counter(
    "leadflow_refund_refunded_amount_fen_total",
    "Amount refunded in fen, by reason and currency.",
    ["reason", "currency"],
)
LEDGER_IMBALANCE = Gauge(
    "leadflow_refund_ledger_imbalance_fen",
    "Ledger debits minus credits in fen per currency (0 when balanced).",
    ["currency"],
)


def count_refunds(refunds: Iterable[Refund]) -> None:
    for refund in refunds:
        REFUNDS.labels(refund.reason.value).inc()
        REFUNDED_FEN.labels(refund.reason.value, refund.amount.currency).inc(refund.amount.fen)


def count_refresh(result: Refresh) -> None:
    CASES_OPENED.inc(result.opened)
    CASES_EVALUATED.inc(result.evaluated)
    count_refunds(result.refunds)


def set_imbalance(imbalance: Mapping[str, int], always: Iterable[str] = ("CNY",)) -> None:
    """Set the gauge for every currency in the ledger, and to 0 for ``always`` ones it has none of yet (so an
    alert on the series has something to read from the start)."""
    for currency in always:
        LEDGER_IMBALANCE.labels(currency).set(imbalance.get(currency, 0))
    for currency, fen in imbalance.items():
        LEDGER_IMBALANCE.labels(currency).set(fen)
