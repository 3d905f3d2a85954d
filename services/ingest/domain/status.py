"""Lead status transitions, driven by events from other services. Pure.

The sales process only moves forward: NEW -> ASSIGNED -> CONTACTED, and from any of those to CONVERTED or INVALID.
CONVERTED and INVALID are final: a late ``lead.assigned`` or an answered call never moves a lead back, and an
event that would move a lead backwards (an ASSIGNED after CONTACTED, from a reassignment) changes nothing.
"""

from __future__ import annotations

from functools import cache

from services.ingest.domain.model import LeadStatus

FINAL = frozenset({LeadStatus.CONVERTED, LeadStatus.INVALID})
_RANK = {LeadStatus.NEW: 1, LeadStatus.ASSIGNED: 2, LeadStatus.CONTACTED: 3}


def next_status(current: LeadStatus, wanted: LeadStatus) -> LeadStatus | None:
    """The status after an event asks for ``wanted``, or None when the event changes nothing."""
    if current in FINAL or wanted == current or wanted is LeadStatus.UNSPECIFIED:
        return None
    if wanted in FINAL:
        return wanted
    if _RANK.get(wanted, 0) > _RANK.get(current, 0):
        return wanted
    return None


@cache
def moves_to(wanted: LeadStatus) -> frozenset[LeadStatus]:
    """The statuses an event asking for ``wanted`` moves to ``wanted`` (``next_status`` over every status): the
    condition of the one UPDATE that applies such an event."""
    return frozenset(current for current in LeadStatus if next_status(current, wanted) is wanted)
