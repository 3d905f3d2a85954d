"""Ports: what the assign use cases need from outside, one small repository per aggregate behind a unit of work.

    uow.agents        agents (with the caller's agent found by JWT subject) and team rosters
    uow.teams         teams and their administrators
    uow.policies      each account's assignment policy and its revisions (the policy history)
    uow.rotations     the stored rotation state of each (account, rule): a compare-and-set on its version
    uow.loads         each agent's held leads and leads received today: a conditional per-agent counter
    uow.leads         the routing facts of every lead assign received (lead.accepted)
    uow.assignments   assignments (one agent holding one lead for a period); at most one active per lead
    uow.pool          the public pool (公海): one entry per waiting lead, removed by a conditional delete
    uow.cooldowns     cooling periods of agents on leads reclaimed from them
    uow.follow_ups    follow-ups
    uow.tags          enterprise and personal tags, and a per-tenant lock for their names
    uow.taggings      tags on leads, with who added them and when (removals are kept)
    uow.requests      idempotency records of creating RPCs (AIP-155)
    uow.timers        persisted timers (reminders, reclaims), fired exactly once by the runtime's timer worker
    uow.erased        the leads erased (lead.erased), so that no later event of theirs is routed
    uow.events        domain events (``domain.events``), written to the outbox in the same transaction

Every method takes the tenant explicitly and every row is namespaced by it, so another tenant's ids answer
nothing. ``savepoint(work)`` runs ``work`` so that, when it raises, its changes are undone while the enclosing
transaction goes on: a consumer, which owns no transaction of its own (the inbox's), retries a lost compare-and-set
with it. Adapters: ``adapters/db`` (SQLAlchemy); in-memory fakes for handler tests in ``tests/assign/fakes.py``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from services.assign.domain.agents import Agent, AgentLoad, Team
from services.assign.domain.assignments import Assignment
from services.assign.domain.enums import AgentStatus, AssignmentState, Channel, PoolReason, TagScope, TagState
from services.assign.domain.followups import FollowUp
from services.assign.domain.leads import LeadFacts, LeadSummary
from services.assign.domain.policy import AssignmentPolicy
from services.assign.domain.pool import Cooldown, PoolEntry
from services.assign.domain.rotation import RotationState
from services.assign.domain.tags import LeadTagging, Tag
from services.common import timers
from services.common.erasure import ErasedLeadRepository
from services.common.timers import Timer as Timer  # re-exported: the rows handlers schedule
from services.common.uow import EventLog

T = TypeVar("T")

# ---------------------------------------------------------------------------------------------- values


@dataclass(frozen=True)
class AgentFilter:
    team_id: str = ""
    status: AgentStatus = AgentStatus.UNSPECIFIED


@dataclass(frozen=True)
class PolicyRevision:
    """One stored version of an account's policy (the history), newest first in lists."""

    id: str
    actor: str
    change_time: datetime
    policy: AssignmentPolicy


@dataclass(frozen=True)
class RotationSave:
    """A consumer batch's last state of one rule's rotation: store ``state`` (at ``state.version``) where the stored
    version is still ``read_version`` (0: no row yet), the version the batch routed from."""

    account_id: str
    rule_id: str
    read_version: int
    state: RotationState


@dataclass(frozen=True)
class LoadTake:
    """``leads`` more held by ``agent_id`` and received on ``day`` (its local day, UTC [start, end)), all of them
    within ``max_held`` and ``daily_capacity`` (0: no limit) as the counter stands when the row is written."""

    agent_id: str
    day: tuple[datetime, datetime]
    leads: int
    max_held: int
    daily_capacity: int


@dataclass(frozen=True)
class KnownLead:
    """A lead assign received: its routing facts, and the score and grade computed on arrival."""

    facts: LeadFacts
    summary: LeadSummary
    receive_time: datetime


@dataclass(frozen=True)
class AssignmentFilter:
    """Every set field must match; ``tag_ids``: the lead carries all of them (active taggings)."""

    agent_id: str = ""
    lead_id: str = ""
    account_id: str = ""
    state: AssignmentState = AssignmentState.UNSPECIFIED
    tag_ids: tuple[str, ...] = ()
    has_follow_up: bool | None = None
    assign_start: datetime | None = None
    assign_end: datetime | None = None


@dataclass(frozen=True)
class PoolFilter:
    account_id: str = ""
    tag_ids: tuple[str, ...] = ()
    channel: Channel = Channel.UNSPECIFIED
    province: str = ""
    reason: PoolReason = PoolReason.UNSPECIFIED


@dataclass(frozen=True)
class TagFilter:
    """Tags visible to ``viewer_agent_id`` (enterprise tags and that agent's personal tags)."""

    viewer_agent_id: str = ""
    scope: TagScope = TagScope.UNSPECIFIED
    state: TagState = TagState.UNSPECIFIED


@dataclass(frozen=True)
class StoredRequest:
    """A recorded creating request: what it was (kind and digest) and the id of what it made."""

    kind: str
    digest: bytes
    result_id: str


# ---------------------------------------------------------------------------------------------- repositories


class AgentRepository(ABC):
    @abstractmethod
    def get(self, tenant: str, agent_id: str) -> Agent | None: ...

    @abstractmethod
    def get_many(self, tenant: str, agent_ids: Iterable[str]) -> dict[str, Agent]: ...

    @abstractmethod
    def by_user(self, tenant: str, user_id: str) -> Agent | None:
        """The agent linked to a JWT subject, or None."""

    @abstractmethod
    def of_teams(self, tenant: str, team_ids: Iterable[str]) -> dict[str, Agent]:
        """Every agent of the given teams, by id."""

    @abstractmethod
    def count_in_team(self, tenant: str, team_id: str) -> int: ...

    @abstractmethod
    def insert(self, tenant: str, agent: Agent) -> None:
        """Raises ``UserIdTaken`` when another agent of the tenant has the same non-empty user id."""

    @abstractmethod
    def update(self, tenant: str, agent: Agent, expected_revision: int) -> bool:
        """Store ``agent`` where the stored revision is still ``expected_revision``; False when it changed (or
        the agent is gone). Raises ``UserIdTaken`` like ``insert``."""

    @abstractmethod
    def delete(self, tenant: str, agent_id: str) -> bool: ...

    @abstractmethod
    def list(self, tenant: str, where: AgentFilter, after: str | None, limit: int) -> list[Agent]:
        """By id ascending, after the previous page's last id."""


class TeamRepository(ABC):
    @abstractmethod
    def get(self, tenant: str, team_id: str) -> Team | None: ...

    @abstractmethod
    def get_many(self, tenant: str, team_ids: Iterable[str]) -> dict[str, Team]: ...

    @abstractmethod
    def insert(self, tenant: str, team: Team) -> None: ...

    @abstractmethod
    def update(self, tenant: str, team: Team) -> bool: ...

    @abstractmethod
    def delete(self, tenant: str, team_id: str) -> bool: ...

    @abstractmethod
    def administered_by(self, tenant: str, agent_id: str) -> list[Team]:
        """The teams listing ``agent_id`` among their administrators."""

    @abstractmethod
    def list(self, tenant: str, after: str | None, limit: int) -> list[Team]: ...


class PolicyRepository(ABC):
    @abstractmethod
    def get(self, tenant: str, account_id: str) -> AssignmentPolicy | None: ...

    @abstractmethod
    def put(self, tenant: str, revision: PolicyRevision) -> None:
        """Store ``revision.policy`` as the account's policy and add the revision to its history."""

    @abstractmethod
    def revision(self, tenant: str, revision_id: str) -> PolicyRevision | None: ...

    @abstractmethod
    def history(
        self, tenant: str, account_id: str, after: tuple[datetime, str] | None, limit: int
    ) -> list[PolicyRevision]:
        """Newest first (change time, then id, descending), after the previous page's last."""


class RotationRepository(ABC):
    @abstractmethod
    def get_many(
        self, tenant: str, account_id: str, rule_ids: Sequence[str], *, for_update: bool = False
    ) -> dict[str, RotationState]:
        """Stored states by rule id; rules never stored are absent (a new rotation). ``for_update``: the rows stay
        locked until the transaction ends (PostgreSQL's FOR UPDATE; SQLite's write transaction locks everything),
        so another writer of these rules waits for this one instead of losing its compare-and-set."""

    @abstractmethod
    def save(self, tenant: str, account_id: str, rule_id: str, state: RotationState) -> bool:
        """Store ``state`` where the stored version is ``state.version - 1`` (0: no row yet); False when another
        writer got there first."""

    @abstractmethod
    def save_many(self, tenant: str, saves: Sequence[RotationSave]) -> bool:
        """``save`` of several rules at once (one statement per kind: updates, first states); False when another
        writer got to any of them first (the caller then undoes the whole transaction)."""


class LoadRepository(ABC):
    @abstractmethod
    def create(self, tenant: str, agent_id: str) -> None:
        """The counter row of a new agent (nothing held)."""

    @abstractmethod
    def get_many(self, tenant: str, days: Mapping[str, tuple[datetime, datetime]]) -> dict[str, AgentLoad]:
        """Loads by agent id; ``days`` gives each agent's current local day, outside which ``assigned_today`` of
        the counter is 0."""

    @abstractmethod
    def take(
        self, tenant: str, agent_id: str, day: tuple[datetime, datetime], max_held: int, daily_capacity: int
    ) -> bool:
        """One more lead held and received on ``day``, only if the agent stays within ``max_held`` and
        ``daily_capacity`` (0: no limit) as the counter stands when the row is written (a conditional update:
        concurrent takers of one agent are serialised by the database); False when a limit is reached."""

    @abstractmethod
    def take_many(self, tenant: str, takes: Sequence[LoadTake]) -> bool:
        """``take`` of several leads for several agents at once (one statement); False when any agent's limit is
        reached (the caller then undoes the whole transaction)."""

    @abstractmethod
    def release(self, tenant: str, agent_id: str) -> None:
        """One lead fewer held."""

    @abstractmethod
    def uncount(self, tenant: str, agent_id: str, assign_time: datetime) -> None:
        """A lead received at ``assign_time`` no longer counts toward the day's capacity (refunded)."""


class LeadRepository(ABC):
    @abstractmethod
    def insert(self, tenant: str, lead: KnownLead) -> bool:
        """False when the lead is already known (a lead is routed once)."""

    @abstractmethod
    def insert_many(self, tenant: str, leads: Sequence[KnownLead]) -> set[str]:
        """``insert`` of each (distinct lead ids) at once; the ids of those that were new."""

    @abstractmethod
    def get(self, tenant: str, lead_id: str) -> KnownLead | None: ...

    @abstractmethod
    def erase(self, tenant: str, lead_id: str) -> None:
        """Forget the region of the lead's phone (erasure, ``domain.erasure``)."""


class AssignmentRepository(ABC):
    @abstractmethod
    def insert(self, tenant: str, assignment: Assignment) -> bool:
        """False when the lead already has an active assignment (at most one, by a unique index)."""

    @abstractmethod
    def insert_many(self, tenant: str, assignments: Sequence[Assignment]) -> bool:
        """``insert`` of each (distinct leads) at once; False when any lead already had an active assignment (the
        caller then undoes the whole transaction)."""

    @abstractmethod
    def update(self, tenant: str, assignment: Assignment) -> bool:
        """Store ``assignment`` (its ``version`` one above the stored one) where the stored version is still
        ``assignment.version - 1``; False when it changed meanwhile."""

    @abstractmethod
    def get(self, tenant: str, assignment_id: str) -> Assignment | None: ...

    @abstractmethod
    def active_of_lead(self, tenant: str, lead_id: str) -> Assignment | None: ...

    @abstractmethod
    def of_lead(self, tenant: str, lead_id: str) -> list[Assignment]:
        """Every assignment of the lead, oldest first."""

    @abstractmethod
    def active_of_agent(self, tenant: str, agent_id: str) -> list[Assignment]: ...

    @abstractmethod
    def count(self, tenant: str, where: AssignmentFilter) -> int: ...

    @abstractmethod
    def list(
        self, tenant: str, where: AssignmentFilter, after: tuple[datetime, str] | None, limit: int
    ) -> list[Assignment]:
        """Newest first (assign time, then id, descending), after the previous page's last."""

    @abstractmethod
    def erase(self, tenant: str, lead_id: str) -> None:
        """Empty the reassign and release reasons and the phone region of the lead's assignments, moving their
        versions on (erasure, ``domain.erasure``)."""


class PoolRepository(ABC):
    @abstractmethod
    def insert(self, tenant: str, entry: PoolEntry) -> bool:
        """False when the lead is already in the pool."""

    @abstractmethod
    def insert_many(self, tenant: str, entries: Sequence[PoolEntry]) -> int:
        """``insert`` of each (distinct leads) at once; how many were new."""

    @abstractmethod
    def get(self, tenant: str, lead_id: str) -> PoolEntry | None: ...

    @abstractmethod
    def remove(self, tenant: str, lead_id: str) -> bool:
        """Delete the lead's entry; False when there was none (another claim took it first)."""

    @abstractmethod
    def count(self, tenant: str, where: PoolFilter) -> int: ...

    @abstractmethod
    def list(
        self, tenant: str, where: PoolFilter, after: tuple[datetime, str] | None, limit: int
    ) -> list[PoolEntry]:
        """Oldest first (enter time, then lead id, ascending), after the previous page's last."""

    @abstractmethod
    def size(self) -> int:
        """Leads waiting in the pool, all tenants (the pool gauge)."""


class CooldownRepository(ABC):
    @abstractmethod
    def add(self, tenant: str, cooldown: Cooldown) -> None:
        """Record the cooling period, keeping the later end when one exists for the lead and agent."""

    @abstractmethod
    def of_lead(self, tenant: str, lead_id: str) -> list[Cooldown]: ...


class FollowUpRepository(ABC):
    @abstractmethod
    def insert(self, tenant: str, follow_up: FollowUp) -> bool:
        """False when a follow-up with this id exists (a replayed call.completed)."""

    @abstractmethod
    def get(self, tenant: str, follow_up_id: str) -> FollowUp | None: ...

    @abstractmethod
    def list(
        self, tenant: str, lead_id: str, agent_id: str, after: tuple[datetime, str] | None, limit: int
    ) -> list[FollowUp]:
        """Of the lead and/or by the agent (empty: any), newest first (follow-up time, then id, descending)."""

    @abstractmethod
    def erase(self, tenant: str, lead_id: str) -> None:
        """Empty the notes of the lead's follow-ups (erasure, ``domain.erasure``)."""


class TagRepository(ABC):
    @abstractmethod
    def lock_names(self, tenant: str) -> None:
        """Serialise changes of the tenant's tag names (a row lock), so two creations cannot take one name."""

    @abstractmethod
    def get(self, tenant: str, tag_id: str) -> Tag | None: ...

    @abstractmethod
    def get_many(self, tenant: str, tag_ids: Iterable[str]) -> dict[str, Tag]: ...

    @abstractmethod
    def names_visible_to(self, tenant: str, agent_id: str) -> list[Tag]:
        """The enterprise tags and ``agent_id``'s personal tags (all states): the names a new one must avoid."""

    @abstractmethod
    def insert(self, tenant: str, tag: Tag) -> None: ...

    @abstractmethod
    def update(self, tenant: str, tag: Tag) -> None: ...

    @abstractmethod
    def list(self, tenant: str, where: TagFilter, after: str | None, limit: int) -> list[Tag]:
        """By id ascending."""


class TaggingRepository(ABC):
    @abstractmethod
    def of_lead(self, tenant: str, lead_id: str) -> list[LeadTagging]:
        """Every tagging of the lead, removed ones included, oldest first."""

    @abstractmethod
    def active_of_leads(self, tenant: str, lead_ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """The tags on each lead now (lead id → tag ids in the order they were added)."""

    @abstractmethod
    def add(self, tenant: str, taggings: Sequence[LeadTagging]) -> None: ...

    @abstractmethod
    def mark_removed(self, tenant: str, taggings: Sequence[LeadTagging]) -> None:
        """Set the removal time of these active taggings (the records are kept)."""


class RequestRepository(ABC):
    @abstractmethod
    def reserve(
        self, tenant: str, kind: str, request_id: str, digest: bytes, now: datetime
    ) -> StoredRequest | None:
        """Insert the request row unless ``request_id`` is taken; None when this transaction owns it now, else the
        existing record (waiting for a concurrent owner to commit)."""

    @abstractmethod
    def complete(self, tenant: str, request_id: str, result_id: str) -> None: ...


class TimerRepository(timers.TimerRepository):
    """The runtime's timers (``services.common.timers``), and what the overdue gauge reads."""

    @abstractmethod
    def count_due(self, kind: str, before: datetime) -> int:
        """Timers of ``kind`` due before ``before`` and not fired yet (all tenants)."""


class UserIdTaken(Exception):  # noqa: N818 - a store signal the handler turns into ALREADY_EXISTS
    """Another agent of the tenant is linked to the same JWT subject."""


# ---------------------------------------------------------------------------------------------- unit of work


class AssignUnitOfWork(Protocol):
    @property
    def agents(self) -> AgentRepository: ...

    @property
    def teams(self) -> TeamRepository: ...

    @property
    def policies(self) -> PolicyRepository: ...

    @property
    def rotations(self) -> RotationRepository: ...

    @property
    def loads(self) -> LoadRepository: ...

    @property
    def leads(self) -> LeadRepository: ...

    @property
    def assignments(self) -> AssignmentRepository: ...

    @property
    def pool(self) -> PoolRepository: ...

    @property
    def cooldowns(self) -> CooldownRepository: ...

    @property
    def follow_ups(self) -> FollowUpRepository: ...

    @property
    def tags(self) -> TagRepository: ...

    @property
    def taggings(self) -> TaggingRepository: ...

    @property
    def timers(self) -> TimerRepository: ...

    @property
    def requests(self) -> RequestRepository: ...

    @property
    def erased(self) -> ErasedLeadRepository: ...

    @property
    def events(self) -> EventLog: ...

    def savepoint(self, work: Callable[[], T]) -> T:
        """Run ``work``; when it raises, undo its changes (and its events) and re-raise, the enclosing
        transaction going on."""
        ...
