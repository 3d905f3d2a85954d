"""Judging a claim: windows, the verdict, the canonical lead, and what happens to each index key.

Windows are measured from the ``first_seen`` time of the key's *current* lead:

- ``submit_time - first_seen <= window`` (inclusive: a submission exactly at the boundary is still a duplicate)
  makes the match a DUPLICATE; a window of zero means forever;
- beyond it the match is RETURNING: when no match is within its window, the candidate becomes a new lead linked to
  the earlier ones (they are listed as matches), and each expired key is re-pointed to the candidate with
  ``first_seen = submit_time``, so the next window is measured from the returning lead.

Canonical lead when several leads match (documented rule, total and deterministic): among the matches *within*
their window, the one with the strongest dimension (PHONE > WECHAT > EMAIL > DEVICE > IP), then the oldest
``first_seen``, then the lowest lead id. With phone → lead A and device → lead B, both within their windows, the
canonical lead is A and both matches are reported.

What each key of the claim becomes (``KeyPlan``):

- keys the claim inserted (values never seen in that key space) point at the lead the submission resolves to: the
  candidate for NEW and RETURNING, the canonical lead for DUPLICATE, with both MERGE and FLAG. Under FLAG the
  candidate stays a lead of its own (marked duplicate by the caller), but the index keeps resolving the person to
  the canonical lead so a third submission is a duplicate of the same, original lead and not of a flagged copy;
- matched keys outside their window are re-pointed (compare-and-set on their current lead and first_seen) to that
  same lead with ``first_seen = submit_time``;
- matched keys within their window stay with their lead (a key is never taken from a live lead, even when another
  dimension picked a different canonical lead); only their ``last_seen`` moves forward.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.dedup.domain.model import (
    DIMENSION_PRIORITY,
    FOREVER,
    Action,
    ClaimResult,
    IndexKey,
    KeyOrigin,
    Match,
    PolicyRules,
    Verdict,
)


def within_window(window: timedelta, first_seen: datetime, submit_time: datetime) -> bool:
    """True when a match counts as a duplicate: forever, or at most ``window`` after ``first_seen`` (inclusive)."""
    return window == FOREVER or submit_time - first_seen <= window


def match_order(match: Match) -> tuple[int, datetime, str]:
    """The canonical order: dimension priority, oldest first_seen, lowest lead id."""
    return DIMENSION_PRIORITY[match.dimension], match.first_seen, match.lead_id


@dataclass(frozen=True)
class FoundKey:
    """An existing key of another lead, found for one of the claim's fingerprints in one key space."""

    key: IndexKey
    rules: PolicyRules  # the effective rules of the key space the key was found in
    policy_account_id: str


@dataclass(frozen=True)
class Repoint:
    """Compare-and-set: move ``key`` to ``lead_id`` with first_seen = submit_time if it is still as read."""

    key: IndexKey
    lead_id: str
    origin: KeyOrigin
    policy_account_id: str


@dataclass(frozen=True)
class KeyPlan:
    result: ClaimResult
    target_lead_id: str  # where the claim's newly inserted keys must point
    inserted_origin: KeyOrigin
    repoint: tuple[Repoint, ...]
    touch: tuple[int, ...]  # ids of keys within their window: last_seen moves to submit_time


def judge(candidate_lead_id: str, submit_time: datetime, found: list[FoundKey], action: Action) -> KeyPlan:
    """Decide the verdict, the canonical lead and the fate of every key (see the module docstring).

    ``action`` is the action of the claim's account policy; it is reported for DUPLICATE only.
    """
    judged: list[tuple[FoundKey, Match]] = []
    for item in found:
        window = item.rules.window_of(item.key.dimension)
        judged.append(
            (
                item,
                Match(
                    dimension=item.key.dimension,
                    lead_id=item.key.lead_id,
                    first_seen=item.key.first_seen,
                    policy_account_id=item.policy_account_id,
                    scope_key=item.key.scope_key,
                    window=window,
                    within_window=within_window(window, item.key.first_seen, submit_time),
                ),
            )
        )
    live = [match for _, match in judged if match.within_window]
    if live:
        canonical = min(live, key=match_order).lead_id
        verdict, target, reported_action = Verdict.DUPLICATE, canonical, action
        inserted_origin, moved_origin = KeyOrigin.ATTACHED, KeyOrigin.MOVED
    else:
        verdict = Verdict.RETURNING if judged else Verdict.NEW
        target, reported_action = candidate_lead_id, Action.UNSPECIFIED
        inserted_origin, moved_origin = KeyOrigin.CLAIMED, KeyOrigin.RETURNING
    repoint = tuple(
        Repoint(key=item.key, lead_id=target, origin=moved_origin, policy_account_id=item.policy_account_id)
        for item, match in judged
        if not match.within_window
    )
    touch = tuple(item.key.id for item, match in judged if match.within_window)
    result = ClaimResult(
        verdict=verdict,
        canonical_lead_id=target,
        matches=_report(match for _, match in judged),
        action=reported_action,
    )
    return KeyPlan(
        result=result, target_lead_id=target, inserted_origin=inserted_origin, repoint=repoint, touch=touch
    )


def _report(matches) -> tuple[Match, ...]:  # type: ignore[no-untyped-def]
    """One match per (dimension, lead), preferring the one within its window, in canonical order."""
    best: dict[tuple[int, str], Match] = {}
    for match in matches:
        slot = (match.dimension, match.lead_id)
        kept = best.get(slot)
        if kept is None or (match.within_window, kept.first_seen) > (kept.within_window, match.first_seen):
            best[slot] = match
    return tuple(sorted(best.values(), key=match_order))
