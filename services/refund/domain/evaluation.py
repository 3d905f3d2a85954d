"""``evaluate()``: where a case stands, from its evidence alone, at a given moment.

The decision is a pure function of the case, the set of call reports, the rules, the callable window and ``now``:
the same set of events, delivered in any order and any number of times, gives the same evaluation. Each rule yields
a *fact* with the time it became true on the evidence's own clock (a call's start time, the close of a window):

==================  ==========================================================  =================
fact                when                                                        state
==================  ==========================================================  =================
DUPLICATE_CHARGE    the charge's submit time (an earlier charge of the same      ELIGIBLE
                    lead to the same account exists)
EMPTY_NUMBER        the start of a call found 空号                                ELIGIBLE
SUSPENDED           the start of a call found 停机                                ELIGIBLE
POWERED_OFF         the start of the call that makes ``powered_off_calls``       ELIGIBLE
                    POWERED_OFF calls in as many distinct clock hours
ANSWERED            the start of an ANSWERED call with at least the minimum      NOT_REFUNDABLE
                    talk time
NEVER_REACHED       the close of the reach window (submit + 24 h), when the      ELIGIBLE
                    attempts within it met the rule; decided then, not at the
                    third attempt
EXPIRED             the close of the claim window (submit + 7 days)              EXPIRED
==================  ==========================================================  =================

The earliest fact decides (ties in the order of the table, so an answered call at exactly 24 h beats never
reached). Calls before submission or after the claim window decide nothing. Window-close facts exist only once
``now`` has reached them; call facts exist as soon as the call is known.

A decision *settles* ``settling_period`` (6 h) after its own time: only then is an ELIGIBLE case paid, or a
NOT_REFUNDABLE/EXPIRED one closed. Until then a late call report with an earlier start time can still replace the
decision, which is how "no earlier evidence reverses it" is enforced. A closed case (``Case.closure``) is final.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum

from services.refund.domain import wording
from services.refund.domain.attempts import NotCounted, check_attempt, is_qualifying_answer
from services.refund.domain.callable_hours import CallableWindow
from services.refund.domain.calls import CallOutcome, CallRecord, latest_reports
from services.refund.domain.cases import (
    Case,
    CaseState,
    Charge,
    RefundReason,
    RejectionReason,
    Standing,
    duplicate_charges,
)
from services.refund.domain.rules import RefundRules


class RequirementKind(StrEnum):
    """A kind of thing a case still waits for, one for one with ``leadflow.refund.v1.RequirementKind``."""

    FIRST_ATTEMPT = "FIRST_ATTEMPT"
    MORE_ATTEMPTS = "MORE_ATTEMPTS"
    MORE_DISTINCT_HOURS = "MORE_DISTINCT_HOURS"
    REACH_WINDOW_CLOSE = "REACH_WINDOW_CLOSE"
    POWERED_OFF_CONFIRMATION = "POWERED_OFF_CONFIRMATION"
    DECISIVE_OUTCOME = "DECISIVE_OUTCOME"
    SETTLING = "SETTLING"


@dataclass(frozen=True)
class Requirement:
    """One thing still missing: ``remaining`` more of ``kind`` (0 when it is only a matter of time) by ``due``."""

    kind: RequirementKind
    remaining: int
    due: datetime
    description: str


@dataclass(frozen=True)
class CallEvidence:
    """One call as evidence: whether it counted as an attempt toward never reached (``attempt_number`` from 1 when
    it did, ``not_counted`` why not otherwise), whether it decided the case, and the English ``note``."""

    call: CallRecord
    counted_as_attempt: bool
    not_counted: NotCounted | None
    attempt_number: int | None
    decisive: bool
    note: str


@dataclass(frozen=True)
class Timeline:
    """The case's fixed instants (UTC): when the first attempt is due (12 callable hours, capped at the reach
    window's close), when the reach window (24 h) closes, when the claim window (7 days) closes."""

    submit_time: datetime
    first_attempt_due: datetime
    reach_close: datetime
    expire_time: datetime

    @classmethod
    def of(cls, submit_time: datetime, rules: RefundRules, window: CallableWindow) -> Timeline:
        reach_close = submit_time + rules.reach_window
        first_due = min(window.deadline(submit_time, rules.first_attempt_callable_duration), reach_close)
        return cls(submit_time, first_due, reach_close, submit_time + rules.claim_window)


@dataclass(frozen=True)
class ReachProgress:
    """The never-reached rule's progress: attempts within the reach window, their distinct clock hours, the first
    attempt and whether it came in time. ``met`` when all of the rule's attempt conditions hold."""

    attempts: int
    distinct_hours: int
    first_attempt: datetime | None
    first_in_time: bool
    met: bool


class _Fact(IntEnum):
    # The order is the tie-break between facts of the same instant.
    DUPLICATE_CHARGE = 0
    EMPTY_NUMBER = 1
    SUSPENDED = 2
    POWERED_OFF = 3
    ANSWERED = 4
    NEVER_REACHED = 5
    EXPIRED = 6


_FACT_OUTCOME: dict[_Fact, tuple[CaseState, RefundReason | None, RejectionReason | None]] = {
    _Fact.DUPLICATE_CHARGE: (CaseState.ELIGIBLE, RefundReason.DUPLICATE_CHARGE, None),
    _Fact.EMPTY_NUMBER: (CaseState.ELIGIBLE, RefundReason.EMPTY_NUMBER, None),
    _Fact.SUSPENDED: (CaseState.ELIGIBLE, RefundReason.SUSPENDED, None),
    _Fact.POWERED_OFF: (CaseState.ELIGIBLE, RefundReason.POWERED_OFF, None),
    _Fact.ANSWERED: (CaseState.NOT_REFUNDABLE, None, RejectionReason.ANSWERED),
    _Fact.NEVER_REACHED: (CaseState.ELIGIBLE, RefundReason.NEVER_REACHED, None),
    _Fact.EXPIRED: (CaseState.EXPIRED, None, RejectionReason.CLAIM_WINDOW_EXPIRED),
}


@dataclass(frozen=True)
class _Decision:
    fact: _Fact
    at: datetime
    call_id: str | None = None


@dataclass(frozen=True)
class Evaluation:
    """Where a case stands at ``now``.

    ``state`` is PENDING, ELIGIBLE, NOT_REFUNDABLE or EXPIRED for an open case, the closure's state for a closed one.
    ``refund_reason`` is set for ELIGIBLE and REFUNDED, ``rejection_reason`` for NOT_REFUNDABLE and EXPIRED.
    ``decided_at`` is the decision's time on the evidence clock; ``settle_time`` when it becomes final (an ELIGIBLE
    case is paid then); ``settled`` whether ``now`` has reached it (the caller then pays or closes the case).
    ``requirements`` says what is still missing and by when; ``next_change_time`` is the earliest instant at which
    the decision (state, reason, settled) can change with no new evidence: the reach window's close when the
    attempts already meet never reached, the settle time, or the claim window's close. Set a timer for it; None
    for a closed case. (The wording of requirements also changes when the first-attempt deadline passes; that
    changes no decision and needs no timer.)
    """

    case_id: str
    state: CaseState
    refund_reason: RefundReason | None
    rejection_reason: RejectionReason | None
    decided_at: datetime | None
    settle_time: datetime | None
    settled: bool
    deciding_call_id: str | None
    duplicate_of_submission_id: str | None
    timeline: Timeline
    progress: ReachProgress
    evidence: tuple[CallEvidence, ...]
    requirements: tuple[Requirement, ...]
    next_change_time: datetime | None
    summary: str

    def standing(self) -> Standing:
        """What the store keeps of this evaluation."""
        return Standing(
            state=self.state,
            refund_reason=self.refund_reason,
            rejection_reason=self.rejection_reason,
            decided_at=self.decided_at,
            settle_time=self.settle_time,
            next_change_time=self.next_change_time,
        )


def evaluate(
    case: Case,
    calls: Iterable[CallRecord],
    rules: RefundRules,
    callable_window: CallableWindow,
    now: datetime,
    *,
    lead_charges: Iterable[Charge] = (),
) -> Evaluation:
    """Evaluate ``case`` at ``now`` from the reports of calls to its lead (any order, repeats and corrections
    allowed; reports of other leads are ignored) and the lead's other charges (for duplicate charges).

    ``callable_window`` is telephony's window for this lead (see ``callable_hours``). Pure and deterministic.
    Raises ValueError for naive datetimes.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    timeline = Timeline.of(case.submit_time, rules, callable_window)
    ordered = latest_reports(call for call in calls if call.lead_id == case.lead_id)
    duplicate_of = duplicate_charges([*lead_charges, case.charge], rules).get(case.submission_id)
    counted = _counted_attempts(ordered, timeline, rules)
    progress = _reach_progress(ordered, counted, timeline, rules, callable_window)
    text = _Text(callable_window, now, rules)

    if case.closure is not None:
        closure = case.closure
        return Evaluation(
            state=closure.state,
            refund_reason=closure.refund_reason,
            rejection_reason=closure.rejection_reason,
            decided_at=closure.decided_at,
            settle_time=closure.closed_at,
            settled=True,
            deciding_call_id=closure.deciding_call_id,
            evidence=_evidence(ordered, counted, closure.deciding_call_id, timeline, rules, callable_window),
            requirements=(),
            next_change_time=None,
            summary=text.closed(
                closure.state, closure.refund_reason, closure.rejection_reason, closure.closed_at
            ),
            case_id=case.case_id,
            duplicate_of_submission_id=duplicate_of,
            timeline=timeline,
            progress=progress,
        )

    decision = _decide(ordered, duplicate_of is not None, progress, timeline, rules, callable_window, now)
    evidence = _evidence(
        ordered, counted, decision.call_id if decision else None, timeline, rules, callable_window
    )
    if decision is None:
        requirements, summary = _pending(ordered, progress, timeline, rules, callable_window, text)
        reach_fires = now < timeline.reach_close and progress.met
        return Evaluation(
            state=CaseState.PENDING,
            refund_reason=None,
            rejection_reason=None,
            decided_at=None,
            settle_time=None,
            settled=False,
            deciding_call_id=None,
            evidence=evidence,
            requirements=requirements,
            next_change_time=timeline.reach_close if reach_fires else timeline.expire_time,
            summary=summary,
            case_id=case.case_id,
            duplicate_of_submission_id=duplicate_of,
            timeline=timeline,
            progress=progress,
        )

    state, refund_reason, rejection_reason = _FACT_OUTCOME[decision.fact]
    settle_time = decision.at + rules.settling_period
    settled = now >= settle_time
    summary = text.decided(decision, case, duplicate_of, progress, ordered)
    settling: tuple[Requirement, ...] = ()
    if not settled:
        what = "paid" if state is CaseState.ELIGIBLE else "final"
        description = f"{what} after the settling period at {text.at(settle_time)}"
        settling = (Requirement(RequirementKind.SETTLING, 0, settle_time, description),)
        summary = f"{summary}; {description}"
    return Evaluation(
        state=state,
        refund_reason=refund_reason,
        rejection_reason=rejection_reason,
        decided_at=decision.at,
        settle_time=settle_time,
        settled=settled,
        deciding_call_id=decision.call_id,
        evidence=evidence,
        requirements=settling,
        next_change_time=settle_time,
        summary=summary,
        case_id=case.case_id,
        duplicate_of_submission_id=duplicate_of,
        timeline=timeline,
        progress=progress,
    )


def _counted_attempts(
    ordered: Sequence[CallRecord], timeline: Timeline, rules: RefundRules
) -> dict[str, int]:
    """``{call_id: attempt number}`` of the calls that count toward never reached, numbered by start time."""
    numbers: dict[str, int] = {}
    for call in ordered:
        check = check_attempt(
            call, submit_time=timeline.submit_time, reach_close=timeline.reach_close, rules=rules
        )
        if check.counted:
            numbers[call.call_id] = len(numbers) + 1
    return numbers


def _reach_progress(
    ordered: Sequence[CallRecord],
    counted: dict[str, int],
    timeline: Timeline,
    rules: RefundRules,
    window: CallableWindow,
) -> ReachProgress:
    starts = [call.start_time for call in ordered if call.call_id in counted]
    hours = {window.clock_hour(start) for start in starts}
    first = starts[0] if starts else None
    first_in_time = first is not None and first <= timeline.first_attempt_due
    met = first_in_time and len(starts) >= rules.min_attempts and len(hours) >= rules.min_distinct_hours
    return ReachProgress(len(starts), len(hours), first, first_in_time, met)


def _powered_off_hours(
    ordered: Sequence[CallRecord], timeline: Timeline, window: CallableWindow
) -> set[datetime]:
    return {
        window.clock_hour(call.start_time)
        for call in ordered
        if call.outcome is CallOutcome.POWERED_OFF
        and timeline.submit_time <= call.start_time <= timeline.expire_time
    }


def _decide(
    ordered: Sequence[CallRecord],
    is_duplicate: bool,
    progress: ReachProgress,
    timeline: Timeline,
    rules: RefundRules,
    window: CallableWindow,
    now: datetime,
) -> _Decision | None:
    """The earliest fact, or None while the case is undecided."""
    facts: list[_Decision] = []
    if is_duplicate:
        facts.append(_Decision(_Fact.DUPLICATE_CHARGE, timeline.submit_time))
    powered_off_hours: set[datetime] = set()
    for call in ordered:
        if not timeline.submit_time <= call.start_time <= timeline.expire_time:
            continue
        if call.outcome is CallOutcome.EMPTY_NUMBER:
            facts.append(_Decision(_Fact.EMPTY_NUMBER, call.start_time, call.call_id))
        elif call.outcome is CallOutcome.SUSPENDED:
            facts.append(_Decision(_Fact.SUSPENDED, call.start_time, call.call_id))
        elif call.outcome is CallOutcome.POWERED_OFF and len(powered_off_hours) < rules.powered_off_calls:
            powered_off_hours.add(window.clock_hour(call.start_time))
            if len(powered_off_hours) == rules.powered_off_calls:
                facts.append(_Decision(_Fact.POWERED_OFF, call.start_time, call.call_id))
        elif is_qualifying_answer(call, rules):
            facts.append(_Decision(_Fact.ANSWERED, call.start_time, call.call_id))
    if progress.met and now >= timeline.reach_close:
        facts.append(_Decision(_Fact.NEVER_REACHED, timeline.reach_close))
    if now >= timeline.expire_time:
        facts.append(_Decision(_Fact.EXPIRED, timeline.expire_time))
    if not facts:
        return None
    return min(facts, key=lambda fact: (fact.at, fact.fact, fact.call_id or ""))


def _pending(
    ordered: Sequence[CallRecord],
    progress: ReachProgress,
    timeline: Timeline,
    rules: RefundRules,
    window: CallableWindow,
    text: _Text,
) -> tuple[tuple[Requirement, ...], str]:
    """What an undecided case still needs, and the sentence that says it."""
    requirements: list[Requirement] = []
    close, expire = timeline.reach_close, timeline.expire_time
    reach_open = text.now < close
    if progress.attempts:
        reach_possible = reach_open and progress.first_in_time
    else:
        reach_possible = reach_open and text.now <= timeline.first_attempt_due
    missing_attempts = max(0, rules.min_attempts - progress.attempts)
    missing_hours = max(0, rules.min_distinct_hours - progress.distinct_hours)
    if reach_possible:
        if not progress.attempts:
            requirements.append(
                Requirement(
                    RequirementKind.FIRST_ATTEMPT,
                    1,
                    timeline.first_attempt_due,
                    f"a first attempt before {text.at(timeline.first_attempt_due)} "
                    f"({wording.duration(rules.first_attempt_callable_duration)} of callable time after submission)",
                )
            )
        if missing_attempts:
            requirements.append(
                Requirement(
                    RequirementKind.MORE_ATTEMPTS,
                    missing_attempts,
                    close,
                    f"{wording.count(missing_attempts, 'more attempt')} before {text.at(close)}",
                )
            )
        if missing_hours:
            requirements.append(
                Requirement(
                    RequirementKind.MORE_DISTINCT_HOURS,
                    missing_hours,
                    close,
                    f"attempts in {wording.count(missing_hours, 'more distinct clock hour')} before {text.at(close)}",
                )
            )
        closing = f"the {wording.duration(rules.reach_window)} window closes at {text.at(close)}"
        if progress.met:
            closing += (
                f"; with no call answered for {wording.duration(rules.min_talk_duration)} or more by then, "
                f"the case becomes ELIGIBLE (never reached) and is paid after the settling period at "
                f"{text.at(close + rules.settling_period)}"
            )
        requirements.append(Requirement(RequirementKind.REACH_WINDOW_CLOSE, 0, close, closing))
    powered_off = len(_powered_off_hours(ordered, timeline, window))
    if 0 < powered_off < rules.powered_off_calls:
        more = rules.powered_off_calls - powered_off
        requirements.append(
            Requirement(
                RequirementKind.POWERED_OFF_CONFIRMATION,
                more,
                expire,
                f"{wording.count(more, 'more POWERED_OFF call')} in another clock hour before {text.at(expire)}",
            )
        )
    if not reach_possible:
        requirements.append(
            Requirement(
                RequirementKind.DECISIVE_OUTCOME,
                1,
                expire,
                f"a call that finds the number empty (空号) or suspended (停机), or "
                f"{rules.powered_off_calls} POWERED_OFF calls (关机) in different clock hours, before "
                f"{text.at(expire)}, when the claim window closes and the case expires",
            )
        )
    return tuple(requirements), text.pending(progress, timeline, reach_possible, requirements)


def _evidence(
    ordered: Sequence[CallRecord],
    counted: dict[str, int],
    deciding_call_id: str | None,
    timeline: Timeline,
    rules: RefundRules,
    window: CallableWindow,
) -> tuple[CallEvidence, ...]:
    result = []
    for call in ordered:
        check = check_attempt(
            call, submit_time=timeline.submit_time, reach_close=timeline.reach_close, rules=rules
        )
        number = counted.get(call.call_id)
        decisive = call.call_id == deciding_call_id
        note = _call_note(call, check.reason, number, decisive, timeline, rules, window)
        result.append(CallEvidence(call, check.counted, check.reason, number, decisive, note))
    return tuple(result)


_OUTCOME_MEANING = {
    CallOutcome.EMPTY_NUMBER: "the number does not exist (空号)",
    CallOutcome.SUSPENDED: "the number is suspended (停机)",
    CallOutcome.POWERED_OFF: "the phone was switched off (关机)",
    CallOutcome.BUSY: "the line was busy",
    CallOutcome.NO_ANSWER: "it rang with no answer",
    CallOutcome.REJECTED: "the lead rejected the call",
    CallOutcome.UNREACHABLE: "the lead was temporarily unreachable",
    CallOutcome.CALLER_CANCELLED: "the caller hung up before an answer",
}

_NOT_COUNTED_MEANING = {
    NotCounted.BLOCKED: "not an attempt: the call was blocked before it reached the lead's network",
    NotCounted.NETWORK_ERROR: "not an attempt: the network failed to complete the call",
    NotCounted.OUTCOME_UNKNOWN: "not an attempt: no evidence that the call reached the lead's network",
    NotCounted.BEFORE_SUBMISSION: "not counted: placed before the lead was submitted",
}


def _call_note(
    call: CallRecord,
    reason: NotCounted | None,
    number: int | None,
    decisive: bool,
    timeline: Timeline,
    rules: RefundRules,
    window: CallableWindow,
) -> str:
    """The English line of one call, with full local date and time."""
    when = wording.stamp(call.start_time, window.zone)
    head = f"attempt {number}: " if number is not None else ""
    parts = [f"{head}{call.outcome.value} at {when}"]
    if call.outcome is CallOutcome.ANSWERED:
        talk = wording.duration(call.talk_duration)
        minimum = wording.duration(rules.min_talk_duration)
        if is_qualifying_answer(call, rules):
            parts.append(f"talked {talk} (at least {minimum}): the lead was reached")
        else:
            parts.append(
                f"talked {talk}, less than {minimum}: an attempt, not proof that the lead was reached"
            )
    elif call.outcome in _OUTCOME_MEANING and reason is not NotCounted.CANCELLED_BEFORE_MIN_RING:
        parts.append(_OUTCOME_MEANING[call.outcome])
    if call.ring_duration and call.outcome is not CallOutcome.ANSWERED:
        parts.append(f"rang {wording.duration(call.ring_duration)}")
    if reason is NotCounted.CANCELLED_BEFORE_MIN_RING:
        parts.append(
            f"not an attempt: cancelled after ringing {wording.duration(call.ring_duration)}, less than the "
            f"{wording.duration(rules.min_ring_duration)} minimum ring time"
        )
    elif reason is NotCounted.AFTER_REACH_WINDOW:
        closed = wording.stamp(timeline.reach_close, window.zone)
        parts.append(
            f"not counted toward never reached: after the {wording.duration(rules.reach_window)} window "
            f"closed at {closed}"
        )
    elif reason is not None:
        parts.append(_NOT_COUNTED_MEANING[reason])
    if call.start_time > timeline.expire_time:
        parts.append("after the claim window closed: decides nothing")
    if decisive:
        parts.append("this call decided the case")
    return "; ".join(parts)


_FACT_TEXT = {
    _Fact.EMPTY_NUMBER: "ELIGIBLE (empty number, 空号): the call at {at} found that the number does not exist",
    _Fact.SUSPENDED: "ELIGIBLE (suspended, 停机): the call at {at} found the number suspended",
    _Fact.EXPIRED: "EXPIRED: the claim window closed at {at} without a decision",
}


@dataclass(frozen=True)
class _Text:
    """Sentences about one case at one moment, in the lead's time zone."""

    window: CallableWindow
    now: datetime
    rules: RefundRules

    def at(self, moment: datetime) -> str:
        return wording.clock(moment, self.window.zone, self.now)

    def closed(
        self,
        state: CaseState,
        refund_reason: RefundReason | None,
        rejection_reason: RejectionReason | None,
        closed_at: datetime,
    ) -> str:
        reason = refund_reason or rejection_reason
        return f"{state.value} ({reason.value if reason else 'no reason'}), closed at {self.at(closed_at)}"

    def decided(
        self,
        decision: _Decision,
        case: Case,
        duplicate_of: str | None,
        progress: ReachProgress,
        ordered: Sequence[CallRecord],
    ) -> str:
        at = self.at(decision.at)
        rules = self.rules
        if decision.fact in _FACT_TEXT:
            return _FACT_TEXT[decision.fact].format(at=at)
        if decision.fact is _Fact.DUPLICATE_CHARGE:
            return (
                f"ELIGIBLE (duplicate charge): submission {duplicate_of} of the same lead was charged to account "
                f"{case.account_id} first"
            )
        if decision.fact is _Fact.POWERED_OFF:
            return (
                f"ELIGIBLE (powered off, 关机): {wording.count(rules.powered_off_calls, 'POWERED_OFF call')} in "
                f"different clock hours, the last at {at}"
            )
        if decision.fact is _Fact.ANSWERED:
            call = next(c for c in ordered if c.call_id == decision.call_id)
            return (
                f"NOT_REFUNDABLE: the call at {at} was answered and talked {wording.duration(call.talk_duration)} "
                f"(at least {wording.duration(rules.min_talk_duration)}): the lead was reached"
            )
        first = self.at(progress.first_attempt) if progress.first_attempt else "?"
        return (
            f"ELIGIBLE (never reached, 未建联): {wording.count(progress.attempts, 'attempt')} in "
            f"{wording.count(progress.distinct_hours, 'distinct clock hour')}, the first at {first}, none answered "
            f"for {wording.duration(rules.min_talk_duration)} or more by the close of the "
            f"{wording.duration(rules.reach_window)} window at {at}"
        )

    def pending(
        self,
        progress: ReachProgress,
        timeline: Timeline,
        reach_possible: bool,
        requirements: Sequence[Requirement],
    ) -> str:
        rules = self.rules
        so_far = (
            f"{wording.count(progress.attempts, 'attempt')} in "
            f"{wording.count(progress.distinct_hours, 'distinct clock hour')} so far"
        )
        if reach_possible:
            return f"PENDING: {so_far}; " + self._reach_needs(progress, timeline, requirements)
        if self.now >= timeline.reach_close:
            why = (
                f"never reached was not met when the {wording.duration(rules.reach_window)} window closed at "
                f"{self.at(timeline.reach_close)} (it needs {wording.count(rules.min_attempts, 'attempt')} in "
                f"{wording.count(rules.min_distinct_hours, 'distinct clock hour')}, the first within "
                f"{wording.duration(rules.first_attempt_callable_duration)} of callable time)"
            )
        elif progress.first_attempt is not None:
            why = (
                f"never reached can no longer be met: the first attempt came at {self.at(progress.first_attempt)}, "
                f"after the {wording.duration(rules.first_attempt_callable_duration)} of callable time ended at "
                f"{self.at(timeline.first_attempt_due)}"
            )
        else:
            why = (
                f"never reached can no longer be met: no attempt within the "
                f"{wording.duration(rules.first_attempt_callable_duration)} of callable time that ended at "
                f"{self.at(timeline.first_attempt_due)}"
            )
        others = "; ".join(r.description for r in requirements)
        return f"PENDING: {so_far}; {why}; it can still be decided by {others}"

    def _reach_needs(
        self, progress: ReachProgress, timeline: Timeline, requirements: Sequence[Requirement]
    ) -> str:
        """ "needs a first attempt before 20:00, 2 more attempts, in at least 1 more distinct clock hour, before
        22:50; the 24 h window closes at 22:50" — the never-reached requirements in one sentence."""
        by_kind = {r.kind: r for r in requirements}
        needs = []
        if RequirementKind.FIRST_ATTEMPT in by_kind:
            needs.append(by_kind[RequirementKind.FIRST_ATTEMPT].description)
        attempts = by_kind.get(RequirementKind.MORE_ATTEMPTS)
        hours = by_kind.get(RequirementKind.MORE_DISTINCT_HOURS)
        close = self.at(timeline.reach_close)
        if attempts and hours:
            needs.append(
                f"{wording.count(attempts.remaining, 'more attempt')} in at least "
                f"{wording.count(hours.remaining, 'more distinct clock hour')} before {close}"
            )
        elif attempts or hours:
            needs.append((attempts or hours).description)  # type: ignore[union-attr]
        closing = by_kind[RequirementKind.REACH_WINDOW_CLOSE].description
        others = [
            r.description
            for r in requirements
            if r.kind in (RequirementKind.POWERED_OFF_CONFIRMATION, RequirementKind.DECISIVE_OUTCOME)
        ]
        head = f"needs {'; '.join(needs)}; " if needs else ""
        tail = f"; or {'; '.join(others)}" if others else ""
        return head + closing + tail
