"""Ingest business metrics: the top of the lead funnel and push delivery. Labels are bounded: verdicts, rejection
codes and attempt results, never a tenant, account, lead or value."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import Counter, Gauge, Histogram

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
SUBMIT_GROUP_SIZE = Histogram(
    "leadflow_ingest_submit_group_size",
    "SubmitLead calls stored together by one group commit (LEADFLOW_INGEST_GROUP_COMMIT_MS): one dedup call and "
    "one write transaction each. Groups of 1 under load mean the window is too short or the callers too few.",
    buckets=(1, 2, 4, 8, 16, 32, 64),
)
DEDUP_CALLS_WAITING = Gauge(
    "leadflow_ingest_dedup_calls_waiting",
    "Calls to dedup waiting for one of the LEADFLOW_INGEST_DEDUP_MAX_IN_FLIGHT slots. Steadily above zero: dedup "
    "is the bottleneck (its latency and replicas), or the bound is lower than dedup's replicas can take.",
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
