"""The telephony unit of work on SQLAlchemy: one repository per aggregate on the transaction's session."""

from __future__ import annotations

from sqlalchemy import Connection

from services.common.dbtx import SqlUnitOfWork
from services.common.erasurestore import SqlErasedLeads
from services.common.messaging.outbox import OutboxWriter
from services.common.timerstore import SqlTimers
from services.telephony.adapters.db.bindings import SqlBindings
from services.telephony.adapters.db.calls import SqlCalls
from services.telephony.adapters.db.numbers import SqlNumbers
from services.telephony.adapters.db.parties import SqlAgents, SqlLeads
from services.telephony.adapters.db.tables import erased, timers
from services.telephony.adapters.db.tenant import SqlDeadNumbers, SqlRequests, SqlSettings


class SqlTelephonyUnitOfWork(SqlUnitOfWork):
    def __init__(self, session: Connection, events: OutboxWriter) -> None:
        super().__init__(session, events)
        self.numbers = SqlNumbers(session)
        self.bindings = SqlBindings(session)
        self.calls = SqlCalls(session)
        self.leads = SqlLeads(session)
        self.agents = SqlAgents(session)
        self.dead = SqlDeadNumbers(session)
        self.settings = SqlSettings(session)
        self.requests = SqlRequests(session)
        self.timers = SqlTimers(session, timers)
        self.erased = SqlErasedLeads(session, erased)
