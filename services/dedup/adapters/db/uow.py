"""The dedup unit of work on SQLAlchemy: one repository per aggregate on the transaction's session."""

from __future__ import annotations

from sqlalchemy import Connection

from services.common.dbtx import SqlUnitOfWork
from services.common.messaging.outbox import OutboxWriter
from services.dedup.adapters.db.keys import SqlKeys
from services.dedup.adapters.db.policies import SqlBindings, SqlHistory, SqlPolicies
from services.dedup.adapters.db.requests import SqlRequests


class SqlDedupUnitOfWork(SqlUnitOfWork):
    def __init__(self, session: Connection, events: OutboxWriter) -> None:
        super().__init__(session, events)
        self.policies = SqlPolicies(session)
        self.bindings = SqlBindings(session)
        self.history = SqlHistory(session)
        self.requests = SqlRequests(session)
        self.keys = SqlKeys(session)
