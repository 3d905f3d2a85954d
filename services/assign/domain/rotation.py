"""Stored rotation state for ROUND_ROBIN, WEIGHTED and LEAST_LOADED rules: stride scheduling. Pure.

Model: stride scheduling (C. A. Waldspurger and W. E. Weihl, "Stride Scheduling: Deterministic Proportional-Share
Resource Management", MIT/LCS/TM-528, 1995). Each member of a rule's rotation has a *pass* (the virtual time of its
next turn) and a *stride* ``STRIDE_ONE // weight``. A lead goes to the available member with the lowest pass, whose
pass then advances by its stride. Members with the same pass are served first in, first out (``queued_at``), so a
round of ROUND_ROBIN (every weight 1) is a true queue rather than alphabetical order. With a stable team every
member's count stays within one lead of its share (weight over the total weight); ROUND_ROBIN counts within ±1.

Changes of the team without resets and without bursts (§3 of the paper, "dynamic operation"):

- the rotation keeps a *virtual time*, the front of the queue: after each lead, the lowest pass among the members
  that were available for it (never decreasing);
- a member that joins (new agent, agent moved into the team, new rule) starts at the current virtual time, not at
  zero, queued behind the members already waiting there: it gets one turn in the current round like everyone
  else, and never a catch-up burst for the leads given before it joined;
- a member that is in the team but unavailable for a lead (offline, on leave, outside working hours, at capacity,
  not serving the lead's region) keeps its place *relative* to the virtual time: its pass moves forward with the
  virtual time (the paper's ``remain``, kept across a leave), and it queues behind the members that stayed. Coming
  back it is as far from its turn as when it left, so pausing neither costs it its turn nor earns it the leads it
  missed, and toggling OFFLINE/ONLINE cannot be used to jump ahead;
- a member that leaves the team is dropped; everyone else's pass is untouched, so counts are never reset;
- a weight change rescales the member's remaining distance to its turn by old/new weight (as the paper does).

Invariant (tested, ROUND_ROBIN and WEIGHTED): after every lead, every member available for it is within its own
stride of the virtual time, i.e. at most one turn from the front.

LEAST_LOADED uses the same state: the member holding the fewest active assignments wins, and among equals the one
that has waited longest since its last lead (``queued_at``), so equally loaded agents take turns instead of the
lowest id always winning. The one-turn invariant is not promised there: load, not turns, decides.

Concurrency: the state is one small document per (tenant, account, rule id) with a ``version``. ``next_turn``
returns the next state with ``version + 1``; the store writes it only where the stored version is still the one
read (``UPDATE … WHERE version = :read``, or ``INSERT … ON CONFLICT DO NOTHING`` for version 0). A writer that loses
re-reads and decides again, so two replicas serialise on the rule and ROUND_ROBIN stays within ±1 across them.

Integers only: ``STRIDE_ONE`` = lcm(1..16) × 1000, so strides are exact for weights 1–16 and within 10^-7 of exact
up to 100; a weight-1 member advances 7.2×10^8 per lead, so a 64-bit pass lasts 10^10 leads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from services.assign.domain.enums import AssignmentMethod

STRIDE_ONE = 720_720_000
ROTATING_METHODS = frozenset(
    {AssignmentMethod.ROUND_ROBIN, AssignmentMethod.WEIGHTED, AssignmentMethod.LEAST_LOADED}
)


@dataclass(frozen=True)
class RotationMember:
    """One agent's place: ``pass_value`` is the virtual time of its next turn; ``queued_at`` orders members with the
    same pass (lower waited longer: first in, first served); ``picks`` counts the leads this rule gave it while a
    member (kept for display and audits; never reset by other members' changes)."""

    agent_id: str
    pass_value: int
    weight: int = 1
    picks: int = 0
    queued_at: int = 0


@dataclass(frozen=True)
class RotationState:
    """A rule's rotation. ``version`` 0 means never stored; ``turns`` counts the leads given; members are sorted by
    agent id."""

    version: int = 0
    virtual_time: int = 0
    turns: int = 0
    members: tuple[RotationMember, ...] = ()

    def member(self, agent_id: str) -> RotationMember | None:
        return next((m for m in self.members if m.agent_id == agent_id), None)

    def to_record(self) -> dict[str, Any]:
        """The state as JSON-ready data, without ``version`` (the store keeps that in its own column for CAS)."""
        return {
            "virtual_time": self.virtual_time,
            "turns": self.turns,
            "members": [
                {
                    "agent_id": m.agent_id,
                    "pass": m.pass_value,
                    "weight": m.weight,
                    "picks": m.picks,
                    "queued_at": m.queued_at,
                }
                for m in self.members
            ],
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any], version: int) -> RotationState:
        members = tuple(
            RotationMember(
                agent_id=str(m["agent_id"]),
                pass_value=int(m["pass"]),
                weight=int(m.get("weight", 1)),
                picks=int(m.get("picks", 0)),
                queued_at=int(m.get("queued_at", 0)),
            )
            for m in record.get("members", ())
        )
        return cls(
            version=version,
            virtual_time=int(record.get("virtual_time", 0)),
            turns=int(record.get("turns", 0)),
            members=tuple(sorted(members, key=lambda m: m.agent_id)),
        )


@dataclass(frozen=True)
class Seat:
    """A member of the rule's team at decision time: its weight, whether it can take this lead, and its load."""

    agent_id: str
    weight: int = 1
    available: bool = True
    held: int = 0


@dataclass(frozen=True)
class Turn:
    """The chosen agent and the rotation's next state (``version`` one above the state it was computed from)."""

    agent_id: str
    state: RotationState


def stride(weight: int) -> int:
    return STRIDE_ONE // max(1, weight)


def next_turn(state: RotationState, seats: Sequence[Seat], method: AssignmentMethod) -> Turn | None:
    """Who takes the next lead of the rule, and the state after it; None when no seat is available.

    ``seats`` is the whole team as it is now (available or not); members of ``state`` not among them are dropped.
    Raises ``ValueError`` for a method without rotation.
    """
    if method not in ROTATING_METHODS:
        raise ValueError(f"{method.name} has no rotation")
    members = _members_now(state, seats, weighted=method == AssignmentMethod.WEIGHTED)
    eligible = [seat for seat in seats if seat.available]
    if not eligible:
        return None

    def order(seat: Seat) -> tuple[int, int, str]:
        member = members[seat.agent_id]
        return member.pass_value, member.queued_at, member.agent_id

    if method == AssignmentMethod.LEAST_LOADED:
        # Load decides; among equals, whoever has waited longest since their last lead (the pass would remember
        # old imbalances of load, which least-loaded already corrects).
        chosen = min(eligible, key=lambda seat: (seat.held, members[seat.agent_id].queued_at, seat.agent_id))
    else:
        chosen = min(eligible, key=order)
    turns = state.turns + 1
    picked = members[chosen.agent_id]
    members[chosen.agent_id] = replace(
        picked, pass_value=picked.pass_value + stride(picked.weight), picks=picked.picks + 1, queued_at=turns
    )
    # The virtual time is the front of the queue: the pass of the next turn among the available members.
    virtual_time = max(state.virtual_time, min(members[seat.agent_id].pass_value for seat in eligible))
    elapsed = virtual_time - state.virtual_time
    available = {seat.agent_id for seat in eligible}
    for agent_id, member in members.items():
        if agent_id not in available:
            # Away for this lead: same distance to the front (the paper's "remain"), and behind the members that
            # stayed, among those with the same pass, so coming back never jumps a queue.
            members[agent_id] = replace(member, pass_value=member.pass_value + elapsed, queued_at=turns)
    ordered = tuple(members[agent_id] for agent_id in sorted(members))
    return Turn(chosen.agent_id, RotationState(state.version + 1, virtual_time, turns, ordered))


def _members_now(state: RotationState, seats: Sequence[Seat], *, weighted: bool) -> dict[str, RotationMember]:
    """The state's members for the current seats: newcomers at the virtual time, behind those already waiting
    there; leavers dropped; a changed weight rescales the distance to the next turn."""
    now = state.virtual_time
    previous = {m.agent_id: m for m in state.members}
    members: dict[str, RotationMember] = {}
    for seat in seats:
        weight = max(1, seat.weight) if weighted else 1
        old = previous.get(seat.agent_id)
        if old is None:
            members[seat.agent_id] = RotationMember(seat.agent_id, now, weight, queued_at=state.turns)
            continue
        remain = max(old.pass_value - now, 0)
        if old.weight != weight:
            remain = remain * old.weight // weight
        members[seat.agent_id] = replace(old, pass_value=now + remain, weight=weight)
    return members
