"""What erasing a lead (``lead.erased``, the PIPL right to deletion) changes in assign. Pure.

Assign holds no phone number, name or other contact of a lead. What it erases: the free texts people write about the
person (follow-up notes, the reasons of reassignments and releases) and the region of the lead's phone number (归属地,
derived from the number) kept on its facts and assignments. The lead leaves the work queues: its active assignment
closes (the agent's held slot is given back, its reclaim and reminder are cancelled) and its pool entry goes; nobody
may call a person who asked to be forgotten. What stays, because performance reviews and audits need it: the
assignments themselves (agent, times, states, reasons as codes), follow-ups' kinds, outcomes and times, taggings, and
the lead's counting toward the agent's day (the agent did receive it).

The lead is remembered as erased (``uow.erased``), so a ``lead.accepted`` handled after the erasure routes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from services.assign.domain.assignments import Assignment, end, pending_timers
from services.assign.domain.enums import AssignmentState
from services.assign.domain.timers import TimerRef


@dataclass(frozen=True)
class Closing:
    """The lead's active assignment, CLOSED (at most one), and the timers to cancel."""

    closed: tuple[Assignment, ...]
    cancel: tuple[TimerRef, ...]


def close_for_erasure(assignments: Sequence[Assignment], now: datetime) -> Closing:
    active = [a for a in assignments if a.active]
    cancel = tuple(ref for a in active for ref in pending_timers(a))
    return Closing(tuple(end(a, AssignmentState.CLOSED, now) for a in active), cancel)
