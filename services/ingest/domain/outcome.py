"""What a dedup answer means for ingest's store: which lead the submission belongs to, whether that lead is created,
and which event announces it. Pure.

- NEW: a new lead with the candidate id; ``lead.accepted``.
- RETURNING: a new lead with the candidate id, linked (``returning_of_lead_id``) to the earlier lead of the same
  person (the lead of the strongest matching dimension); ``lead.accepted``.
- DUPLICATE with action MERGE: the submission is attached to the canonical lead (which gains the submission's
  accounts); ``lead.duplicate``.
- DUPLICATE with action FLAG: the submission keeps a lead of its own (candidate id), verdict DUPLICATE, flagged
  ``duplicate_of_lead_id`` = canonical lead, visible in ListLeads for the advertiser's review; it is announced as
  ``lead.duplicate`` only (not routed to assign or telephony).
- DUPLICATE of a canonical lead ingest does not have (after the handlers waited briefly for a claimer still on its
  way to its commit): that claimer crashed after dedup answered and before its own commit, so nobody else will ever
  create the lead. This submission creates it, with that id, as NEW, and announces it as ``lead.accepted``. (Should
  the claimer only have been slow, its own commit then finds the lead and attaches to it; there is still exactly one
  ``lead.accepted``.)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from services.ingest.domain.model import DedupAction, Match, Verdict

# Strongest first: the order dedup uses to pick a canonical lead.
_STRENGTH = {1: 0, 2: 1, 3: 2, 5: 3, 4: 4}  # PHONE, WECHAT, EMAIL, DEVICE, IP


class Announce(Enum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class Outcome:
    lead_id: str
    create: bool  # create the lead (else attach the submission to it)
    verdict: Verdict  # of the submission and, when created, of the lead
    duplicate_of_lead_id: str
    returning_of_lead_id: str
    announce: Announce


def earlier_lead(matches: tuple[Match, ...], candidate_id: str) -> str:
    """The earlier lead a RETURNING submission is linked to: that of the strongest dimension, then the latest."""
    others = [m for m in matches if m.lead_id != candidate_id]
    if not others:
        return ""
    best = min(
        others, key=lambda m: (_STRENGTH.get(int(m.dimension), 9), -m.first_seen_time.timestamp(), m.lead_id)
    )
    return best.lead_id


def decide(
    verdict: Verdict,
    action: DedupAction,
    canonical_lead_id: str,
    candidate_id: str,
    matches: tuple[Match, ...],
    canonical_exists: bool,
) -> Outcome:
    if verdict is Verdict.NEW:
        return Outcome(candidate_id, True, Verdict.NEW, "", "", Announce.ACCEPTED)
    if verdict is Verdict.RETURNING:
        return Outcome(
            candidate_id, True, Verdict.RETURNING, "", earlier_lead(matches, candidate_id), Announce.ACCEPTED
        )
    if verdict is not Verdict.DUPLICATE:
        raise ValueError(f"dedup answered an unexpected verdict {verdict!r}")
    if action is DedupAction.FLAG and canonical_lead_id != candidate_id:
        return Outcome(candidate_id, True, Verdict.DUPLICATE, canonical_lead_id, "", Announce.DUPLICATE)
    if not canonical_exists:
        return Outcome(canonical_lead_id, True, Verdict.NEW, "", "", Announce.ACCEPTED)
    return Outcome(canonical_lead_id, False, Verdict.DUPLICATE, canonical_lead_id, "", Announce.DUPLICATE)
