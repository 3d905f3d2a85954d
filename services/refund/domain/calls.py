"""Call records as refund sees them (from ``call.completed``), and how reports of the same call replace each other.

Telephony may report a call more than once: the event is redelivered, or a later report corrects the outcome (the
carrier's final CDR arrives after the first classification). A call is identified by ``call_id``; among its reports
the one settled last (``reported_at``, the event's ``occurred_time``) wins, ties broken by ``report_id`` (the event
id) and then by content, so that the same set of reports gives the same call whatever order, and however many
times, they arrive.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum


class CallOutcome(StrEnum):
    """The classified outcome of a call, one for one with ``leadflow.common.v1.CallOutcome``."""

    UNSPECIFIED = "UNSPECIFIED"
    ANSWERED = "ANSWERED"
    BUSY = "BUSY"
    NO_ANSWER = "NO_ANSWER"
    REJECTED = "REJECTED"
    POWERED_OFF = "POWERED_OFF"
    EMPTY_NUMBER = "EMPTY_NUMBER"
    SUSPENDED = "SUSPENDED"
    UNREACHABLE = "UNREACHABLE"
    CALLER_CANCELLED = "CALLER_CANCELLED"
    BLOCKED = "BLOCKED"
    NETWORK_ERROR = "NETWORK_ERROR"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True)
class CallRecord:
    """One report of one call to a lead.

    ``start_time`` is when the call was placed (decisions follow it, never the arrival order);
    ``ring_duration`` how long the lead's phone rang (zero if it never rang); ``talk_duration`` how long the two
    sides talked (zero unless ANSWERED). ``reported_at`` is when telephony settled this report; ``report_id`` the
    event id. Times are timezone-aware.
    """

    call_id: str
    lead_id: str
    start_time: datetime
    outcome: CallOutcome
    ring_duration: timedelta = timedelta(0)
    talk_duration: timedelta = timedelta(0)
    reported_at: datetime | None = None
    report_id: str = ""

    def __post_init__(self) -> None:
        if self.start_time.tzinfo is None or (
            self.reported_at is not None and self.reported_at.tzinfo is None
        ):
            raise ValueError("start_time and reported_at must be timezone-aware")
        if self.ring_duration < timedelta(0) or self.talk_duration < timedelta(0):
            raise ValueError("ring and talk durations must not be negative")


def ring_duration_between(
    ring_time: datetime | None, answer_time: datetime | None, release_time: datetime | None
) -> timedelta:
    """How long a phone rang: from ``ring_time`` to the answer, or to the release when unanswered; zero when it
    never rang or a time is missing or out of order (the carrier's clock is not trusted to be monotonic)."""
    if ring_time is None:
        return timedelta(0)
    end = answer_time or release_time
    if end is None or end <= ring_time:
        return timedelta(0)
    return end - ring_time


_NEVER = datetime.min.replace(tzinfo=UTC)


def _precedence(report: CallRecord) -> tuple[datetime, str, str, datetime, timedelta, timedelta]:
    """Reports compare by when they were settled, then event id, then content: a total order, so the winner never
    depends on arrival order."""
    return (
        report.reported_at or _NEVER,
        report.report_id,
        report.outcome.value,
        report.start_time,
        report.ring_duration,
        report.talk_duration,
    )


def latest_reports(reports: Iterable[CallRecord]) -> tuple[CallRecord, ...]:
    """One record per call_id — its latest report — ordered by the calls' start times (then call_id)."""
    latest: dict[str, CallRecord] = {}
    for report in reports:
        current = latest.get(report.call_id)
        if current is None or _precedence(report) > _precedence(current):
            latest[report.call_id] = report
    return tuple(sorted(latest.values(), key=lambda call: (call.start_time, call.call_id)))
