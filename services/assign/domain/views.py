"""What list and get RPCs answer: an assignment or pool entry with the tags on its lead the caller may see. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from services.assign.domain.assignments import Assignment
from services.assign.domain.pool import PoolEntry


@dataclass(frozen=True)
class AssignmentView:
    assignment: Assignment
    tag_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class PoolView:
    entry: PoolEntry
    tag_ids: tuple[str, ...] = ()
