"""Call records as refund sees them (from ``call.completed``), and how reports of the same call replace each other.

Telephony may report a call more than once: the event is redelivered, or a later report corrects the outcome (the
carrier's final CDR arrives after the first classification). A call is identified by ``call_id``; among its reports
the highest ``revision`` (``CallCompleted.outcome_revision``: "consumers keep the highest revision of each call",
telephony's events.proto) wins, then the one settled last (``reported_at``, the event's ``occurred_time``), ties
broken by ``report_id`` (the event id) and then by content, so that the same set of reports gives the same call
whatever order, and however many times, they arrive.

Each report may carry the callable window telephony enforced when it placed the call (``window``); the lead's
window is the one its earliest call reports (``enforced_window``); until a call reports one, the tenant's hours telephony
announced, else telephony's default.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from services.refund.domain.callable_hours import DEFAULT_CALLABLE_WINDOW, CallableWindow


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
    event id; ``revision`` telephony's outcome revision (1 for the first announcement, 0 when not given).
    ``window`` is the callable window (with the lead's time zone) telephony enforced for the call, None when the
    report does not say. Times are timezone-aware.
    """

    call_id: str
    lead_id: str
    start_time: datetime
    outcome: CallOutcome
    ring_duration: timedelta = timedelta(0)
    talk_duration: timedelta = timedelta(0)
    reported_at: datetime | None = None
    report_id: str = ""
    revision: int = 0
    window: CallableWindow | None = None

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


def _precedence(
    report: CallRecord,
) -> tuple[int, datetime, str, str, datetime, timedelta, timedelta, str]:
    """Reports compare by revision, then when they were settled, then event id, then content: a total order, so the
    winner never depends on arrival order."""
    return (
        report.revision,
        report.reported_at or _NEVER,
        report.report_id,
        report.outcome.value,
        report.start_time,
        report.ring_duration,
        report.talk_duration,
        str(report.window or ""),
    )


def latest_reports(reports: Iterable[CallRecord]) -> tuple[CallRecord, ...]:
    """One record per call_id — its latest report — ordered by the calls' start times (then call_id)."""
    latest: dict[str, CallRecord] = {}
    for report in reports:
        current = latest.get(report.call_id)
        if current is None or _precedence(report) > _precedence(current):
            latest[report.call_id] = report
    return tuple(sorted(latest.values(), key=lambda call: (call.start_time, call.call_id)))


def enforced_window(
    calls: Iterable[CallRecord], tenant_window: CallableWindow | None = None
) -> CallableWindow:
    """The callable window to judge a lead by: the one telephony reported enforcing for the lead's earliest call
    (by start time, its latest report) that carries one; before any call reports one, the tenant's hours as
    telephony announced them (``telephony.callable_hours_changed``, ``tenant_window``), else telephony's documented
    default (08:00-21:00, Asia/Shanghai). A function of the set of reports, so arrival order never changes it."""
    for call in latest_reports(calls):
        if call.window is not None:
            return call.window
    return tenant_window or DEFAULT_CALLABLE_WINDOW
