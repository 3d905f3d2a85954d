"""Ingest business metrics: the top of the lead funnel and push delivery. Labels are bounded: verdicts, rejection
codes and attempt results, never a tenant, account, lead or value."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import Counter

from services.ingest.domain.model import SubmitResult

SUBMISSIONS = Counter(
    "leadflow_ingest_submissions_total",
    "Submissions answered, by verdict (NEW, RETURNING, DUPLICATE, REJECTED); idempotent replays excluded.",
    ["verdict"],
)
REJECTIONS = Counter(
    "leadflow_ingest_rejections_total",
    "Rejection reasons of REJECTED submissions, by rejection code.",
    ["reason"],
)
LEADS_ERASED = Counter(
    "leadflow_ingest_leads_erased_total",
    "Leads whose personal data was erased (EraseLead; repeats not counted).",
)
PUSH_SCHEDULED = Counter(
    "leadflow_push_deliveries_scheduled_total", "Push deliveries scheduled for accepted leads."
)
PUSH_ATTEMPTS = Counter(
    "leadflow_push_attempts_total",
    "Push attempts by result: delivered, failed (will retry), gave_up, lease_lost (result not recorded).",
    ["result"],
)


def count_submissions(outcomes: Iterable[object]) -> None:
    """Count the first answers among ``outcomes`` (errors and replays of stored submissions are not counted)."""
    for outcome in outcomes:
        if isinstance(outcome, SubmitResult) and not outcome.replayed:
            SUBMISSIONS.labels(outcome.verdict.name).inc()
            for rejection in outcome.rejections:
                REJECTIONS.labels(rejection.code.value).inc()
