"""The call record, and the merge of carrier events into it that converges whatever their order and repetition.

Carriers deliver events late (hours), out of order, repeated (Huawei re-sends a record up to 6 times: after 1, 4,
9, 106, 203 and 300 minutes) and with UTC or local timestamps. The record is therefore never updated field by field
as events arrive: it keeps the set of distinct events (one per ``(provider, provider_event_id)``) and derives every
field from that set with ``merge``, which sorts what it reads by the carrier's own times, never by arrival. Any
order and any repetition of the same events gives the same record; the outcome follows the call's own times.

Which event says what, when several do:

* The carrier's final report (FINAL_REPORT with ``ReportedTimes``) is authoritative for the times it states; when
  there are several (corrections), the latest by event time, then by event id. Interim events (DIALED, RINGING,
  ANSWERED, RELEASED) fill only what no report states, earliest first.
* Evidence is the union of every event's evidence, sorted by its own time; the recording is the one expiring last.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import IntEnum

from services.telephony.domain.classify import classify
from services.telephony.domain.codebook import Codebook, default_codebook
from services.telephony.domain.evidence import Evidence
from services.telephony.domain.outcomes import CallOutcome, EvidenceSource, ReleaseDirection
from services.telephony.domain.provider_times import ReportedTimes

_EPOCH = datetime.min.replace(tzinfo=UTC)
# How long after its start a call that has not ended still holds its lead (StartCall refuses a second call
# meanwhile). Carriers report a call's release within seconds and their final report within minutes; a call still
# open after an hour has lost its receipts, not a conversation this long. Huawei's AXB binding caps a call at its
# maxDuration (minutes) and Aliyun's at the pool's setting, neither known here, hence a fixed hour.
CALL_PRESUMED_OVER = timedelta(hours=1)
AGENT_PROVIDER = "agent"  # events leadflow itself records (EndCall), not a carrier's


class CallState(IntEnum):
    """leadflow.telephony.v1.CallState."""

    UNSPECIFIED = 0
    DIALING = 1
    RINGING = 2
    IN_PROGRESS = 3
    ENDED = 4


class CallMode(IntEnum):
    """leadflow.telephony.v1.CallMode."""

    UNSPECIFIED = 0
    DIRECT_DIAL = 1
    CALLBACK = 2


class CallEventType(IntEnum):
    """leadflow.telephony.v1.CallEventType."""

    UNSPECIFIED = 0
    DIALED = 1
    RINGING = 2
    EARLY_MEDIA = 3
    ANSWERED = 4
    RELEASED = 5
    FINAL_REPORT = 6
    RECORDING_READY = 7


@dataclass(frozen=True, slots=True)
class Recording:
    """A carrier's recording of the call: where it is and when the carrier deletes it (Huawei keeps 7 days,
    Aliyun's record_url is valid 7 or 30 days depending on the channel)."""

    uri: str
    expire_time: datetime | None


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("call times must be timezone-aware")
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class CallEvent:
    """One event from a carrier about a call. ``received_time`` (when leadflow got it) is kept for the record's
    audit but takes no part in the merge or in equality."""

    provider: str
    provider_event_id: str
    type: CallEventType
    event_time: datetime | None
    times: ReportedTimes | None = None
    release_direction: ReleaseDirection = ReleaseDirection.UNSPECIFIED
    evidence: tuple[Evidence, ...] = ()
    recording: Recording | None = None
    received_time: datetime | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "event_time", _utc(self.event_time))
        if self.times is not None:
            times = self.times
            object.__setattr__(
                self,
                "times",
                replace(
                    times,
                    dial=_utc(times.dial),
                    ring=_utc(times.ring),
                    answer=_utc(times.answer),
                    release=_utc(times.release),
                ),
            )

    @property
    def identity(self) -> tuple[str, str]:
        return (self.provider, self.provider_event_id)

    def order_key(self) -> tuple[datetime, str, str, int, str]:
        """Order by the carrier's time, then anything but arrival, so that sorting is deterministic."""
        return (self.event_time or _EPOCH, self.provider, self.provider_event_id, int(self.type), repr(self))


@dataclass(frozen=True)
class CallProgress:
    """Everything derived from the call's events. Durations are zero when they do not apply."""

    state: CallState = CallState.DIALING
    dial_time: datetime | None = None
    ring_time: datetime | None = None
    answer_time: datetime | None = None
    release_time: datetime | None = None
    release_direction: ReleaseDirection = ReleaseDirection.UNSPECIFIED
    talk_duration: timedelta = timedelta(0)
    ring_duration: timedelta = timedelta(0)
    evidence: tuple[Evidence, ...] = ()
    recording: Recording | None = None
    outcome: CallOutcome = CallOutcome.UNSPECIFIED
    decided_by: EvidenceSource = EvidenceSource.UNSPECIFIED
    explanation: str = ""
    conflicts: tuple[Evidence, ...] = ()
    decisive: Evidence | None = None  # the piece of evidence that decided the outcome (None: the times did)


def distinct_events(events: Iterable[CallEvent]) -> tuple[CallEvent, ...]:
    """One event per identity, sorted by ``order_key``. Two different payloads under one identity keep the one
    that sorts first, so that even a carrier's inconsistent repeat cannot make the result depend on arrival."""
    chosen: dict[tuple[str, str], CallEvent] = {}
    for event in events:
        current = chosen.get(event.identity)
        if current is None or event.order_key() < current.order_key():
            chosen[event.identity] = event
    return tuple(sorted(chosen.values(), key=CallEvent.order_key))


def _first_time(events: Iterable[CallEvent], kind: CallEventType) -> datetime | None:
    return min((e.event_time for e in events if e.type is kind and e.event_time is not None), default=None)


def merge(events: Iterable[CallEvent], codebook: Codebook | None = None) -> CallProgress:
    """Derive the call's progress from its events (any order, any repetition)."""
    book = codebook or default_codebook()
    ordered = distinct_events(events)
    reports = [e for e in ordered if e.type is CallEventType.FINAL_REPORT and e.times is not None]
    report = max(reports, key=lambda e: (e.event_time or _EPOCH, e.provider_event_id), default=None)
    stated = report.times if report is not None else None

    dial = (stated.dial if stated else None) or _first_time(ordered, CallEventType.DIALED)
    ring = (stated.ring if stated else None) or _first_time(ordered, CallEventType.RINGING)
    release = (stated.release if stated else None) or _first_time(ordered, CallEventType.RELEASED)
    answer = (
        stated.answer if stated and stated.answer_stated else _first_time(ordered, CallEventType.ANSWERED)
    )

    answered: bool | None
    if answer is not None and release is not None:
        answered = release > answer
    elif stated is not None and stated.answer_stated:
        answered = answer is not None
    else:
        answered = None if answer is None else True

    direction_sources = ([report] if report is not None else []) + [
        e for e in ordered if e.type is CallEventType.RELEASED
    ]
    direction = next(
        (
            e.release_direction
            for e in direction_sources
            if e.release_direction is not ReleaseDirection.UNSPECIFIED
        ),
        ReleaseDirection.UNSPECIFIED,
    )

    if release is not None:
        state = CallState.ENDED
    elif answer is not None:
        state = CallState.IN_PROGRESS
    elif ring is not None:
        state = CallState.RINGING
    else:
        state = CallState.DIALING

    talk = release - answer if answered and answer is not None and release is not None else timedelta(0)
    ring_end = answer if answered else release
    ring_duration = (
        ring_end - ring if ring is not None and ring_end is not None and ring_end > ring else timedelta(0)
    )
    evidence = tuple(sorted({piece for e in ordered for piece in e.evidence}, key=Evidence.sort_key))
    recordings = [e.recording for e in ordered if e.recording is not None]
    recording = max(recordings, key=lambda r: (r.expire_time or _EPOCH, r.uri), default=None)

    progress = CallProgress(
        state=state,
        dial_time=dial,
        ring_time=ring,
        answer_time=answer if answered else None,
        release_time=release,
        release_direction=direction,
        talk_duration=talk,
        ring_duration=ring_duration,
        evidence=evidence,
        recording=recording,
    )
    if state is not CallState.ENDED:
        return progress
    verdict = classify(
        answered=answered,
        rang=ring is not None,
        released_by_caller=direction is ReleaseDirection.CALLER,
        evidence=evidence,
        codebook=book,
    )
    return replace(
        progress,
        outcome=verdict.outcome,
        decided_by=verdict.decided_by,
        explanation=verdict.explanation,
        conflicts=verdict.conflicts,
        decisive=verdict.evidence,
    )


@dataclass(frozen=True)
class Call:
    """One call between an agent (A) and a lead (B) through a masked number (X).

    ``start_time`` is when StartCall created it (UTC); ``attempt_number`` counts the calls to the lead from 1.
    ``published_outcome`` is the outcome last announced in ``call.completed`` (UNSPECIFIED before the first), and
    ``completion_revision`` how many times it was announced: a later event that changes the outcome makes the
    call due for a correcting ``call.completed``.
    """

    call_id: str
    tenant_id: str
    lead_id: str
    agent_id: str
    account_id: str
    binding_id: str
    number_id: str
    masked_number: str
    mode: CallMode
    attempt_number: int
    start_time: datetime
    events: tuple[CallEvent, ...] = ()
    progress: CallProgress = field(default_factory=CallProgress)
    published_outcome: CallOutcome = CallOutcome.UNSPECIFIED
    completion_revision: int = 0

    def with_event(self, event: CallEvent, codebook: Codebook | None = None) -> tuple[Call, bool]:
        """The call after ``event`` and whether the event was a repeat that changed nothing."""
        if any(e.identity == event.identity and e == event for e in self.events):
            return self, True
        events = distinct_events((*self.events, event))
        return replace(self, events=events, progress=merge(events, codebook)), False

    def in_progress_at(self, now: datetime) -> bool:
        """Whether the call still occupies its lead at ``now``: it has not ended, and it started less than
        ``CALL_PRESUMED_OVER`` ago. A call whose carrier never reports its end (a lost receipt) stops holding the
        lead after that, so the lead can be called again; the agent ends it sooner with EndCall."""
        return self.progress.state is not CallState.ENDED and now - self.start_time < CALL_PRESUMED_OVER

    def end_by_agent(self, now: datetime) -> Call:
        """The agent hung up from leadflow (EndCall): a caller-side release at ``now``, which a carrier's final
        report later overrides with its own times."""
        event = CallEvent(
            AGENT_PROVIDER, "end", CallEventType.RELEASED, now, release_direction=ReleaseDirection.CALLER
        )
        return self.with_event(event)[0]

    @property
    def completion_due(self) -> bool:
        """Whether ``call.completed`` must be (re)published: the call ended and its outcome is not yet announced."""
        return self.progress.state is CallState.ENDED and self.progress.outcome is not self.published_outcome

    def mark_completed(self) -> Call:
        """The call after its ``call.completed`` was written to the outbox."""
        return replace(
            self, published_outcome=self.progress.outcome, completion_revision=self.completion_revision + 1
        )
