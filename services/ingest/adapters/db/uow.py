"""The ingest unit of work on SQLAlchemy: one repository per aggregate on the transaction's session."""

from __future__ import annotations

from sqlalchemy import Connection

from services.common.dbtx import SqlUnitOfWork
from services.common.messaging.outbox import OutboxWriter
from services.ingest.adapters.db.leads import SqlLeads
from services.ingest.adapters.db.push import SqlPush
from services.ingest.adapters.db.rules import SqlRules
from services.ingest.adapters.db.submissions import SqlSubmissions


class SqlIngestUnitOfWork(SqlUnitOfWork):
    def __init__(self, session: Connection, events: OutboxWriter) -> None:
        super().__init__(session, events)
        self.leads = SqlLeads(session)
        self.submissions = SqlSubmissions(session)
        self.rules = SqlRules(session)
        self.push = SqlPush(session)
