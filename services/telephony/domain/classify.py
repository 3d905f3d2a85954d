"""The one outcome of a call, decided from all its evidence, strongest first.

The rule, in order:

1. **Answered or not comes from the call's own times, and only from them.** The call was answered iff the
   carrier reported an answer time and a release time later than it (Aliyun: ``release_time > start_time``; its own
   sample record has ``release_cause`` 31 on a 3 s answered call). Then the outcome is ANSWERED whatever any code
   says, and codes that say otherwise are listed as conflicts. No code alone ever says "answered": normal-clearing
   codes (Q.850 16/31, Aliyun 16/31, Huawei 0, FreeSWITCH NORMAL_CLEARING) carry no verdict.
2. Otherwise the evidence is read in tiers, strongest first (``TIERS``):
   a. the provider's own status codes (``codebook``), and among two fields of one provider the one ranked first in
      ``fields.csv`` (Aliyun ``call_type`` 4 "呼叫拦截" beats ``release_cause``);
   b. the early-media announcement, by keyword (``announcements``);
   c. the SIP final response with the Q.850 cause of its Reason header (RFC 3326 section 2): the cause decides
      when it has a verdict (a bare 480 is ambiguous: causes 19, 20 and 31 all become 480, RFC 3398 section
      8.2.6.1; cause 20 makes it POWERED_OFF), the bare status only when the cause is absent or has no verdict.
   The first tier with a verdict decides. **Conflicting evidence**: within a tier, a non-refinable verdict beats a
   refinable one, then the higher-ranked field, then the carrier's latest statement (by event time), then the
   smaller code (only so that the result never depends on arrival order). Across tiers the stronger tier wins,
   except that a *refinable* verdict (a coarse code such as Aliyun 4 "特殊回铃音" whose own documentation says the
   announcement tells the reason) is replaced by the first non-refinable verdict of a weaker tier. Every piece of
   evidence whose verdict differs from the result is returned in ``conflicts``.
3. With no verdict at all: if the times say the call was not answered, CALLER_CANCELLED when the caller released
   it, NO_ANSWER when the lead's phone rang, UNKNOWN otherwise; if the times say nothing about answering, UNKNOWN.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from services.telephony.domain import announcements
from services.telephony.domain.codebook import Codebook
from services.telephony.domain.evidence import Evidence
from services.telephony.domain.outcomes import CallOutcome, EvidenceSource

# Tier of each source, strongest first; SIP and Q.850 form one tier, the cause before the bare status.
TIERS: dict[EvidenceSource, tuple[int, int]] = {
    EvidenceSource.CARRIER_STATUS: (0, 0),
    EvidenceSource.ANNOUNCEMENT: (1, 0),
    EvidenceSource.Q850: (2, 0),
    EvidenceSource.SIP: (2, 1),
}


@dataclass(frozen=True, slots=True)
class Verdict:
    """What one piece of evidence says, with the keys the conflict rule orders verdicts by."""

    outcome: CallOutcome
    refinable: bool
    evidence: Evidence
    reason: str
    tier: int
    rank: tuple[int, int, float, str]

    def order(self) -> tuple[int, bool, tuple[int, int, float, str]]:
        return (self.tier, self.refinable, self.rank)


@dataclass(frozen=True, slots=True)
class Classification:
    """The outcome, what decided it (``decided_by`` CALL_TIMES for the times and the fallback), the deciding
    evidence (None when the times decided), a one-line English explanation, and the overruled evidence."""

    outcome: CallOutcome
    decided_by: EvidenceSource
    evidence: Evidence | None
    explanation: str
    conflicts: tuple[Evidence, ...]


def _newest_first(evidence: Evidence) -> float:
    moment = evidence.event_time or datetime.min.replace(tzinfo=UTC)
    return -moment.timestamp()


def verdict_of(evidence: Evidence, codebook: Codebook) -> Verdict | None:
    """The verdict of one piece of evidence, or None when it has none (unknown code, normal clearing, no keyword)."""
    placement = TIERS.get(evidence.source)
    if placement is None:
        return None
    tier, within = placement
    if evidence.source is EvidenceSource.ANNOUNCEMENT:
        rule = announcements.match(evidence.text, codebook)
        if rule is None:
            return None
        rank = (within, rule.order, _newest_first(evidence), evidence.text)
        return Verdict(rule.outcome, False, evidence, f'announcement contains "{rule.keyword}"', tier, rank)
    meaning = codebook.meaning(evidence.provider, evidence.field, evidence.code)
    if meaning is None or meaning.outcome is None:
        return None
    precedence = codebook.precedence(evidence.provider, evidence.field)
    rank = (within, precedence, _newest_first(evidence), evidence.code)
    reason = f"{evidence.provider} {evidence.field} {evidence.code} ({meaning.meaning})"
    return Verdict(meaning.outcome, meaning.refinable, evidence, reason, tier, rank)


def _decide(verdicts: list[Verdict]) -> Verdict:
    ordered = sorted(verdicts, key=Verdict.order)
    best = ordered[0]
    if best.refinable:
        finer = next((v for v in ordered if v.tier > best.tier and not v.refinable), None)
        if finer is not None:
            return finer
    return best


def classify(
    *,
    answered: bool | None,
    rang: bool,
    released_by_caller: bool,
    evidence: Iterable[Evidence],
    codebook: Codebook,
) -> Classification:
    """Classify an ended call.

    ``answered`` is what the call's own times say: True (an answer time and a later release time), False (the
    carrier reported the times and they show no answer), None (no time said either way). ``rang`` whether the lead's
    phone rang; ``released_by_caller`` whether the agent's side released the call.
    """
    pieces = sorted(set(evidence), key=Evidence.sort_key)
    verdicts = [v for e in pieces if (v := verdict_of(e, codebook)) is not None]

    def overruled(outcome: CallOutcome) -> tuple[Evidence, ...]:
        return tuple(v.evidence for v in verdicts if v.outcome is not outcome)

    if answered:
        answered_outcome = CallOutcome.ANSWERED
        conflicts = overruled(answered_outcome)
        return Classification(
            answered_outcome, EvidenceSource.CALL_TIMES, None, "the times show an answer and talk", conflicts
        )
    if verdicts:
        chosen = _decide(verdicts)
        return Classification(
            chosen.outcome, chosen.evidence.source, chosen.evidence, chosen.reason, overruled(chosen.outcome)
        )
    if answered is False and released_by_caller:
        outcome, why = (
            CallOutcome.CALLER_CANCELLED,
            "not answered and released by the caller, no code says why",
        )
    elif answered is False and rang:
        outcome, why = CallOutcome.NO_ANSWER, "rang and was not answered, no code says why"
    else:
        outcome, why = CallOutcome.UNKNOWN, "no evidence allows a more precise outcome"
    return Classification(outcome, EvidenceSource.CALL_TIMES, None, why, ())
