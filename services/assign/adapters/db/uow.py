"""The assign unit of work on SQLAlchemy: one repository per aggregate on the transaction's session, and
savepoints for consumers and timers that retry a lost race inside the runtime's transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection

from services.assign.adapters.db.agents import SqlAgents, SqlTeams
from services.assign.adapters.db.assignments import SqlAssignments
from services.assign.adapters.db.followups import SqlFollowUps
from services.assign.adapters.db.leads import SqlLeads
from services.assign.adapters.db.loads import SqlLoads
from services.assign.adapters.db.policies import SqlPolicies
from services.assign.adapters.db.pool import SqlCooldowns, SqlPool
from services.assign.adapters.db.requests import SqlRequests
from services.assign.adapters.db.rotations import SqlRotations
from services.assign.adapters.db.tables import erased
from services.assign.adapters.db.tags import SqlTaggings, SqlTags
from services.assign.adapters.db.timers import SqlAssignTimers
from services.common import dberrors
from services.common.dbtx import SqlUnitOfWork
from services.common.erasurestore import SqlErasedLeads
from services.common.messaging.outbox import OutboxWriter

T = TypeVar("T")


class SqlAssignUnitOfWork(SqlUnitOfWork):
    def __init__(self, session: Connection, events: OutboxWriter) -> None:
        super().__init__(session, events)
        self._session = session
        self.agents = SqlAgents(session)
        self.teams = SqlTeams(session)
        self.policies = SqlPolicies(session)
        self.rotations = SqlRotations(session)
        self.loads = SqlLoads(session)
        self.leads = SqlLeads(session)
        self.assignments = SqlAssignments(session)
        self.pool = SqlPool(session)
        self.cooldowns = SqlCooldowns(session)
        self.follow_ups = SqlFollowUps(session)
        self.tags = SqlTags(session)
        self.taggings = SqlTaggings(session)
        self.requests = SqlRequests(session)
        self.timers = SqlAssignTimers(session)
        self.erased = SqlErasedLeads(session, erased)

    def savepoint(self, work: Callable[[], T]) -> T:
        """``work`` in a SAVEPOINT: rolled back to it when ``work`` raises (a deadlock becomes
        ``TransientConflict`` here too, so the caller may run it again)."""
        with dberrors.translated(), self._session.begin_nested():
            return work()
