"""Requests of the pool, follow-up and tag RPCs as plain values (what converters build and handlers take). Pure.

Enums are the numbers sent, checked by the handlers; empty strings mean unset."""

from __future__ import annotations

from dataclasses import dataclass

from services.assign.domain.followups import FollowUpDraft


@dataclass(frozen=True)
class ClaimCommand:
    """``agent_id`` empty: the calling agent."""

    lead_id: str
    agent_id: str = ""


@dataclass(frozen=True)
class ReleaseCommand:
    lead_id: str
    reason: str = ""


@dataclass(frozen=True)
class ReassignCommand:
    lead_id: str
    agent_id: str
    reason: str


@dataclass(frozen=True)
class RecordCommand:
    """``agent_id`` empty: the calling agent (for administrators: the holder, unless linked to an agent)."""

    draft: FollowUpDraft
    agent_id: str = ""


@dataclass(frozen=True)
class TagDraft:
    display_name: str = ""
    scope: int = 0
    state: int = 0
