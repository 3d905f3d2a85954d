"""In-memory fakes of assign's ports (``services.assign.domain.ports``), for handler tests without a database.

They keep the contracts the handlers rely on: compare-and-set on rotation and assignment versions, at most one
active assignment per lead, the conditional per-agent counter, the pool's conditional delete, idempotency
records, timers unique by (kind, key). ``FakeAssignUnitOfWork.savepoint`` undoes a failed piece of work like the
SQL savepoint. ``fake_transactions()`` wraps one unit of work in ``tests.common.fakes.FakeTransactions``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

from services.assign.domain.agents import Agent, AgentLoad, Team
from services.assign.domain.assignments import Assignment
from services.assign.domain.enums import TagScope
from services.assign.domain.followups import FollowUp
from services.assign.domain.policy import AssignmentPolicy
from services.assign.domain.pool import Cooldown, PoolEntry
from services.assign.domain.ports import (
    AgentFilter,
    AgentRepository,
    AssignmentFilter,
    AssignmentRepository,
    CooldownRepository,
    FollowUpRepository,
    KnownLead,
    LeadRepository,
    LoadRepository,
    LoadTake,
    PolicyRepository,
    PolicyRevision,
    PoolFilter,
    PoolRepository,
    RequestRepository,
    RotationRepository,
    RotationSave,
    StoredRequest,
    TagFilter,
    TaggingRepository,
    TagRepository,
    TeamRepository,
    Timer,
    TimerRepository,
    UserIdTaken,
)
from services.assign.domain.rotation import RotationState
from services.assign.domain.tags import LeadTagging, Tag
from services.common.timeconv import to_us
from tests.common.fakes import EventList, FakeErasedLeads, FakeTransactions

T = TypeVar("T")


class FakeAgents(AgentRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Agent] = {}

    def get(self, tenant: str, agent_id: str) -> Agent | None:
        return self.rows.get((tenant, agent_id))

    def get_many(self, tenant: str, agent_ids: Iterable[str]) -> dict[str, Agent]:
        return {a: self.rows[(tenant, a)] for a in agent_ids if (tenant, a) in self.rows}

    def by_user(self, tenant: str, user_id: str) -> Agent | None:
        return next((a for (t, _), a in self.rows.items() if t == tenant and a.user_id == user_id), None)

    def of_teams(self, tenant: str, team_ids: Iterable[str]) -> dict[str, Agent]:
        teams = set(team_ids)
        return {a.id: a for (t, _), a in self.rows.items() if t == tenant and a.team_id in teams}

    def count_in_team(self, tenant: str, team_id: str) -> int:
        return len(self.of_teams(tenant, [team_id]))

    def _check_user(self, tenant: str, agent: Agent) -> None:
        if agent.user_id:
            other = self.by_user(tenant, agent.user_id)
            if other is not None and other.id != agent.id:
                raise UserIdTaken()

    def insert(self, tenant: str, agent: Agent) -> None:
        self._check_user(tenant, agent)
        self.rows[(tenant, agent.id)] = agent

    def update(self, tenant: str, agent: Agent, expected_revision: int) -> bool:
        current = self.rows.get((tenant, agent.id))
        if current is None or current.revision != expected_revision:
            return False
        self._check_user(tenant, agent)
        self.rows[(tenant, agent.id)] = agent
        return True

    def delete(self, tenant: str, agent_id: str) -> bool:
        return self.rows.pop((tenant, agent_id), None) is not None

    def list(self, tenant: str, where: AgentFilter, after: str | None, limit: int) -> list[Agent]:
        found = [
            a
            for (t, _), a in self.rows.items()
            if t == tenant
            and (not where.team_id or a.team_id == where.team_id)
            and (not where.status or a.status == where.status)
            and (after is None or a.id > after)
        ]
        return sorted(found, key=lambda a: a.id)[:limit]


class FakeTeams(TeamRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Team] = {}

    def get(self, tenant: str, team_id: str) -> Team | None:
        return self.rows.get((tenant, team_id))

    def get_many(self, tenant: str, team_ids: Iterable[str]) -> dict[str, Team]:
        return {t: self.rows[(tenant, t)] for t in team_ids if (tenant, t) in self.rows}

    def insert(self, tenant: str, team: Team) -> None:
        self.rows[(tenant, team.id)] = team

    def update(self, tenant: str, team: Team) -> bool:
        if (tenant, team.id) not in self.rows:
            return False
        self.rows[(tenant, team.id)] = team
        return True

    def delete(self, tenant: str, team_id: str) -> bool:
        return self.rows.pop((tenant, team_id), None) is not None

    def administered_by(self, tenant: str, agent_id: str) -> list[Team]:
        return [t for (tn, _), t in self.rows.items() if tn == tenant and agent_id in t.admin_agent_ids]

    def list(self, tenant: str, after: str | None, limit: int) -> list[Team]:
        found = [t for (tn, _), t in self.rows.items() if tn == tenant and (after is None or t.id > after)]
        return sorted(found, key=lambda t: t.id)[:limit]


class FakePolicies(PolicyRepository):
    def __init__(self) -> None:
        self.current: dict[tuple[str, str], AssignmentPolicy] = {}
        self.revisions: dict[tuple[str, str], tuple[str, PolicyRevision]] = {}

    def get(self, tenant: str, account_id: str) -> AssignmentPolicy | None:
        return self.current.get((tenant, account_id))

    def put(self, tenant: str, revision: PolicyRevision) -> None:
        self.current[(tenant, revision.policy.account_id)] = revision.policy
        self.revisions[(tenant, revision.id)] = (revision.policy.account_id, revision)

    def revision(self, tenant: str, revision_id: str) -> PolicyRevision | None:
        found = self.revisions.get((tenant, revision_id))
        return None if found is None else found[1]

    def history(
        self, tenant: str, account_id: str, after: tuple[datetime, str] | None, limit: int
    ) -> list[PolicyRevision]:
        found = [r for (t, _), (a, r) in self.revisions.items() if t == tenant and a == account_id]
        found.sort(key=lambda r: (r.change_time, r.id), reverse=True)
        if after is not None:
            found = [r for r in found if (r.change_time, r.id) < after]
        return found[:limit]


class LostRaces:
    """How many of the next compare-and-sets lose (another writer got there first). Outside the snapshots of
    savepoints and transactions, as a rival's commit would be."""

    def __init__(self) -> None:
        self.remaining = 0

    def __deepcopy__(self, memo: dict[int, Any]) -> LostRaces:
        return self

    def lose(self) -> bool:
        if self.remaining:
            self.remaining -= 1
            return True
        return False


class FakeRotations(RotationRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str, str], RotationState] = {}
        self.races = LostRaces()

    def get_many(
        self, tenant: str, account_id: str, rule_ids: Sequence[str], *, for_update: bool = False
    ) -> dict[str, RotationState]:
        return {
            r: self.rows[(tenant, account_id, r)] for r in rule_ids if (tenant, account_id, r) in self.rows
        }

    def save(self, tenant: str, account_id: str, rule_id: str, state: RotationState) -> bool:
        if self.races.lose():
            return False
        stored = self.rows.get((tenant, account_id, rule_id))
        if (stored.version if stored else 0) != state.version - 1:
            return False
        self.rows[(tenant, account_id, rule_id)] = state
        return True

    def save_many(self, tenant: str, saves: Sequence[RotationSave]) -> bool:
        if self.races.lose():
            return False
        for save in saves:
            stored = self.rows.get((tenant, save.account_id, save.rule_id))
            if (stored.version if stored else 0) != save.read_version:
                return False
        for save in saves:
            self.rows[(tenant, save.account_id, save.rule_id)] = save.state
        return True


class FakeLoads(LoadRepository):
    """(held, day start us, day end us, assigned on that day) per agent."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], list[int]] = {}

    def create(self, tenant: str, agent_id: str) -> None:
        self.rows.setdefault((tenant, agent_id), [0, 0, 0, 0])

    def get_many(self, tenant: str, days: Mapping[str, tuple[datetime, datetime]]) -> dict[str, AgentLoad]:
        loads = {}
        for agent_id, (start, _end) in days.items():
            row = self.rows.get((tenant, agent_id))
            if row is not None:
                loads[agent_id] = AgentLoad(row[0], row[3] if row[1] == to_us(start) else 0)
        return loads

    def take(
        self, tenant: str, agent_id: str, day: tuple[datetime, datetime], max_held: int, daily_capacity: int
    ) -> bool:
        row = self.rows.get((tenant, agent_id))
        if row is None:
            return False
        start, end = to_us(day[0]), to_us(day[1])
        today = row[3] if row[1] == start else 0
        if (max_held and row[0] >= max_held) or (daily_capacity and today >= daily_capacity):
            return False
        self.rows[(tenant, agent_id)] = [row[0] + 1, start, end, today + 1]
        return True

    def take_many(self, tenant: str, takes: Sequence[LoadTake]) -> bool:
        for take in takes:
            row = self.rows.get((tenant, take.agent_id))
            today = (row[3] if row[1] == to_us(take.day[0]) else 0) if row else 0
            if (
                row is None
                or (take.max_held and row[0] + take.leads > take.max_held)
                or (take.daily_capacity and today + take.leads > take.daily_capacity)
            ):
                return False
        for take in takes:
            row = self.rows[(tenant, take.agent_id)]
            today = row[3] if row[1] == to_us(take.day[0]) else 0
            start, end = to_us(take.day[0]), to_us(take.day[1])
            self.rows[(tenant, take.agent_id)] = [row[0] + take.leads, start, end, today + take.leads]
        return True

    def release(self, tenant: str, agent_id: str) -> None:
        row = self.rows.get((tenant, agent_id))
        if row is not None and row[0] > 0:
            row[0] -= 1

    def uncount(self, tenant: str, agent_id: str, assign_time: datetime) -> None:
        row = self.rows.get((tenant, agent_id))
        if row is not None and row[1] <= to_us(assign_time) < row[2] and row[3] > 0:
            row[3] -= 1


class FakeLeads(LeadRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], KnownLead] = {}

    def insert(self, tenant: str, lead: KnownLead) -> bool:
        key = (tenant, lead.facts.lead_id)
        if key in self.rows:
            return False
        self.rows[key] = lead
        return True

    def insert_many(self, tenant: str, leads: Sequence[KnownLead]) -> set[str]:
        return {lead.facts.lead_id for lead in leads if self.insert(tenant, lead)}

    def get(self, tenant: str, lead_id: str) -> KnownLead | None:
        return self.rows.get((tenant, lead_id))

    def erase(self, tenant: str, lead_id: str) -> None:
        known = self.rows.get((tenant, lead_id))
        if known is not None:
            self.rows[(tenant, lead_id)] = replace(
                known,
                facts=replace(known.facts, phone_region=None),
                summary=replace(known.summary, phone_region=None),
            )


class FakeAssignments(AssignmentRepository):
    def __init__(self, taggings: Callable[[], FakeTaggings]) -> None:
        self.rows: dict[tuple[str, str], Assignment] = {}
        self.by_lead: dict[tuple[str, str], list[str]] = {}
        self._taggings = taggings  # a function, so that snapshots (deep copies) keep pointing at the live one

    def insert(self, tenant: str, assignment: Assignment) -> bool:
        if self.active_of_lead(tenant, assignment.lead.lead_id) is not None:
            return False
        self.rows[(tenant, assignment.id)] = assignment
        self.by_lead.setdefault((tenant, assignment.lead.lead_id), []).append(assignment.id)
        return True

    def insert_many(self, tenant: str, assignments: Sequence[Assignment]) -> bool:
        return all([self.insert(tenant, assignment) for assignment in assignments])

    def update(self, tenant: str, assignment: Assignment) -> bool:
        current = self.rows.get((tenant, assignment.id))
        if current is None or current.version != assignment.version - 1:
            return False
        self.rows[(tenant, assignment.id)] = assignment
        return True

    def get(self, tenant: str, assignment_id: str) -> Assignment | None:
        return self.rows.get((tenant, assignment_id))

    def _of_tenant(self, tenant: str) -> list[Assignment]:
        return [a for (t, _), a in self.rows.items() if t == tenant]

    def active_of_lead(self, tenant: str, lead_id: str) -> Assignment | None:
        return next((a for a in self.of_lead(tenant, lead_id) if a.active), None)

    def of_lead(self, tenant: str, lead_id: str) -> list[Assignment]:
        found = [self.rows[(tenant, i)] for i in self.by_lead.get((tenant, lead_id), ())]
        return sorted(found, key=lambda a: (a.assign_time, a.id))

    def active_of_agent(self, tenant: str, agent_id: str) -> list[Assignment]:
        return [a for a in self._of_tenant(tenant) if a.agent_id == agent_id and a.active]

    def _matching(self, tenant: str, where: AssignmentFilter) -> list[Assignment]:
        tagged = self._taggings().active_of_leads(tenant, {a.lead.lead_id for a in self._of_tenant(tenant)})

        def matches(a: Assignment) -> bool:
            return (
                (not where.agent_id or a.agent_id == where.agent_id)
                and (not where.lead_id or a.lead.lead_id == where.lead_id)
                and (not where.account_id or a.lead.account_id == where.account_id)
                and (not where.state or a.state == where.state)
                and set(where.tag_ids) <= set(tagged.get(a.lead.lead_id, ()))
                and (
                    where.has_follow_up is None or (a.first_follow_up_time is not None) == where.has_follow_up
                )
                and (where.assign_start is None or a.assign_time >= where.assign_start)
                and (where.assign_end is None or a.assign_time < where.assign_end)
            )

        return sorted(
            filter(matches, self._of_tenant(tenant)), key=lambda a: (a.assign_time, a.id), reverse=True
        )

    def count(self, tenant: str, where: AssignmentFilter) -> int:
        return len(self._matching(tenant, where))

    def list(
        self, tenant: str, where: AssignmentFilter, after: tuple[datetime, str] | None, limit: int
    ) -> list[Assignment]:
        found = self._matching(tenant, where)
        if after is not None:
            found = [a for a in found if (a.assign_time, a.id) < after]
        return found[:limit]

    def erase(self, tenant: str, lead_id: str) -> None:
        for assignment in self.of_lead(tenant, lead_id):
            self.rows[(tenant, assignment.id)] = replace(
                assignment,
                lead=replace(assignment.lead, phone_region=None),
                reassign_reason="",
                release_reason="",
                version=assignment.version + 1,
            )


class FakePool(PoolRepository):
    def __init__(self, taggings: Callable[[], FakeTaggings]) -> None:
        self.rows: dict[tuple[str, str], PoolEntry] = {}
        self._taggings = taggings

    def insert(self, tenant: str, entry: PoolEntry) -> bool:
        key = (tenant, entry.lead.lead_id)
        if key in self.rows:
            return False
        self.rows[key] = entry
        return True

    def insert_many(self, tenant: str, entries: Sequence[PoolEntry]) -> int:
        return sum(self.insert(tenant, entry) for entry in entries)

    def get(self, tenant: str, lead_id: str) -> PoolEntry | None:
        return self.rows.get((tenant, lead_id))

    def remove(self, tenant: str, lead_id: str) -> bool:
        return self.rows.pop((tenant, lead_id), None) is not None

    def _matching(self, tenant: str, where: PoolFilter) -> list[PoolEntry]:
        entries = [e for (t, _), e in self.rows.items() if t == tenant]
        tagged = self._taggings().active_of_leads(tenant, {e.lead.lead_id for e in entries})

        def matches(e: PoolEntry) -> bool:
            region = e.lead.phone_region
            return (
                (not where.account_id or e.lead.account_id == where.account_id)
                and set(where.tag_ids) <= set(tagged.get(e.lead.lead_id, ()))
                and (not where.channel or e.lead.channel == where.channel)
                and (not where.province or (region is not None and region.province == where.province))
                and (not where.reason or e.reason == where.reason)
            )

        return sorted(filter(matches, entries), key=lambda e: (e.enter_time, e.lead.lead_id))

    def count(self, tenant: str, where: PoolFilter) -> int:
        return len(self._matching(tenant, where))

    def list(
        self, tenant: str, where: PoolFilter, after: tuple[datetime, str] | None, limit: int
    ) -> list[PoolEntry]:
        found = self._matching(tenant, where)
        if after is not None:
            found = [e for e in found if (e.enter_time, e.lead.lead_id) > after]
        return found[:limit]

    def size(self) -> int:
        return len(self.rows)


class FakeCooldowns(CooldownRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str, str], Cooldown] = {}

    def add(self, tenant: str, cooldown: Cooldown) -> None:
        key = (tenant, cooldown.lead_id, cooldown.agent_id)
        current = self.rows.get(key)
        if current is None or current.end_time < cooldown.end_time:
            self.rows[key] = cooldown

    def of_lead(self, tenant: str, lead_id: str) -> list[Cooldown]:
        return [c for (t, lead, _), c in self.rows.items() if t == tenant and lead == lead_id]


class FakeFollowUps(FollowUpRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], FollowUp] = {}

    def insert(self, tenant: str, follow_up: FollowUp) -> bool:
        if (tenant, follow_up.id) in self.rows:
            return False
        self.rows[(tenant, follow_up.id)] = follow_up
        return True

    def get(self, tenant: str, follow_up_id: str) -> FollowUp | None:
        return self.rows.get((tenant, follow_up_id))

    def list(
        self, tenant: str, lead_id: str, agent_id: str, after: tuple[datetime, str] | None, limit: int
    ) -> list[FollowUp]:
        found = [
            f
            for (t, _), f in self.rows.items()
            if t == tenant
            and (not lead_id or f.lead_id == lead_id)
            and (not agent_id or f.agent_id == agent_id)
        ]
        found.sort(key=lambda f: (f.follow_up_time, f.id), reverse=True)
        if after is not None:
            found = [f for f in found if (f.follow_up_time, f.id) < after]
        return found[:limit]

    def erase(self, tenant: str, lead_id: str) -> None:
        for key, follow_up in list(self.rows.items()):
            if key[0] == tenant and follow_up.lead_id == lead_id:
                self.rows[key] = replace(follow_up, note="")


class FakeTags(TagRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Tag] = {}
        self.locks: list[str] = []

    def lock_names(self, tenant: str) -> None:
        self.locks.append(tenant)

    def get(self, tenant: str, tag_id: str) -> Tag | None:
        return self.rows.get((tenant, tag_id))

    def get_many(self, tenant: str, tag_ids: Iterable[str]) -> dict[str, Tag]:
        return {t: self.rows[(tenant, t)] for t in tag_ids if (tenant, t) in self.rows}

    def names_visible_to(self, tenant: str, agent_id: str) -> list[Tag]:
        return [
            t
            for (tn, _), t in self.rows.items()
            if tn == tenant
            and (t.scope == TagScope.ENTERPRISE or (agent_id and t.owner_agent_id == agent_id))
        ]

    def insert(self, tenant: str, tag: Tag) -> None:
        self.rows[(tenant, tag.id)] = tag

    def update(self, tenant: str, tag: Tag) -> None:
        self.rows[(tenant, tag.id)] = tag

    def list(self, tenant: str, where: TagFilter, after: str | None, limit: int) -> list[Tag]:
        found = [
            t
            for t in self.names_visible_to(tenant, where.viewer_agent_id)
            if (not where.scope or t.scope == where.scope)
            and (not where.state or t.state == where.state)
            and (after is None or t.id > after)
        ]
        return sorted(found, key=lambda t: t.id)[:limit]


class FakeTaggings(TaggingRepository):
    def __init__(self) -> None:
        self.rows: list[tuple[str, LeadTagging]] = []

    def of_lead(self, tenant: str, lead_id: str) -> list[LeadTagging]:
        return [g for t, g in self.rows if t == tenant and g.lead_id == lead_id]

    def active_of_leads(self, tenant: str, lead_ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
        wanted = set(lead_ids)
        found: dict[str, list[str]] = {}
        for t, g in self.rows:
            if t == tenant and g.lead_id in wanted and g.remove_time is None:
                found.setdefault(g.lead_id, []).append(g.tag_id)
        return {lead: tuple(ids) for lead, ids in found.items()}

    def add(self, tenant: str, taggings: Sequence[LeadTagging]) -> None:
        self.rows.extend((tenant, g) for g in taggings)

    def mark_removed(self, tenant: str, taggings: Sequence[LeadTagging]) -> None:
        removed = {(g.lead_id, g.tag_id): g for g in taggings}
        for index, (t, g) in enumerate(self.rows):
            if t == tenant and g.remove_time is None and (g.lead_id, g.tag_id) in removed:
                self.rows[index] = (t, removed[(g.lead_id, g.tag_id)])


class FakeRequests(RequestRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], StoredRequest] = {}

    def reserve(
        self, tenant: str, kind: str, request_id: str, digest: bytes, now: datetime
    ) -> StoredRequest | None:
        existing = self.rows.get((tenant, request_id))
        if existing is not None:
            return existing
        self.rows[(tenant, request_id)] = StoredRequest(kind, digest, "")
        return None

    def complete(self, tenant: str, request_id: str, result_id: str) -> None:
        self.rows[(tenant, request_id)] = replace(self.rows[(tenant, request_id)], result_id=result_id)


class FakeTimers(TimerRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Timer] = {}

    def schedule(self, timer: Timer) -> None:
        self.rows[(timer.kind, timer.key)] = timer

    def cancel(self, kind: str, key: str) -> bool:
        return self.rows.pop((kind, key), None) is not None

    def get(self, kind: str, key: str) -> Timer | None:
        return self.rows.get((kind, key))

    def count_due(self, kind: str, before: datetime) -> int:
        return sum(1 for t in self.rows.values() if t.kind == kind and t.due_time < before)

    def due(self, now: datetime) -> list[Timer]:
        """Tests: the timers due at ``now``, earliest first (what the runtime would fire)."""
        return sorted((t for t in self.rows.values() if t.due_time <= now), key=lambda t: (t.due_time, t.key))


class FakeAssignUnitOfWork:
    """``undo=False``: savepoints run their work without a snapshot, for long simulations (10,000 leads) whose
    writes never fail; a failed write would then leave its partial changes, which such a test would see."""

    def __init__(self, *, undo: bool = True) -> None:
        self.undo = undo
        self.agents = FakeAgents()
        self.teams = FakeTeams()
        self.policies = FakePolicies()
        self.rotations = FakeRotations()
        self.loads = FakeLoads()
        self.leads = FakeLeads()
        self.taggings = FakeTaggings()
        self.assignments = FakeAssignments(lambda: self.taggings)
        self.pool = FakePool(lambda: self.taggings)
        self.cooldowns = FakeCooldowns()
        self.follow_ups = FakeFollowUps()
        self.tags = FakeTags()
        self.requests = FakeRequests()
        self.timers = FakeTimers()
        self.erased = FakeErasedLeads()
        self.events = EventList()

    def savepoint(self, work: Callable[[], T]) -> T:
        if not self.undo:
            return work()
        snapshot = {name: copy.deepcopy(value.__dict__) for name, value in self._repositories().items()}
        try:
            return work()
        except BaseException:
            for name, saved in snapshot.items():
                state = getattr(self, name).__dict__
                state.clear()
                state.update(saved)
            raise

    def _repositories(self) -> dict[str, Any]:
        return {name: value for name, value in vars(self).items() if name != "undo"}


def fake_transactions(*, undo: bool = True) -> FakeTransactions[Any]:
    return FakeTransactions(FakeAssignUnitOfWork(undo=undo))
