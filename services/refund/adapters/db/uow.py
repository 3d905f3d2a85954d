"""The refund unit of work on SQLAlchemy: one repository per aggregate on the transaction's session."""

from __future__ import annotations

from sqlalchemy import Connection

from services.common.dbtx import SqlUnitOfWork
from services.common.messaging.outbox import OutboxWriter
from services.common.timerstore import SqlTimers
from services.refund.adapters.db.appeals import SqlAppeals
from services.refund.adapters.db.callable_hours import SqlCallableHours
from services.refund.adapters.db.calls import SqlCalls
from services.refund.adapters.db.cases import SqlCases
from services.refund.adapters.db.ledger import SqlLedger
from services.refund.adapters.db.refunds import SqlRefunds
from services.refund.adapters.db.requests import SqlRequests
from services.refund.adapters.db.rules import SqlRules
from services.refund.adapters.db.tables import timers


class SqlRefundUnitOfWork(SqlUnitOfWork):
    def __init__(self, session: Connection, events: OutboxWriter) -> None:
        super().__init__(session, events)
        self.cases = SqlCases(session)
        self.calls = SqlCalls(session)
        self.rules = SqlRules(session)
        self.refunds = SqlRefunds(session)
        self.requests = SqlRequests(session)
        self.appeals = SqlAppeals(session)
        self.ledger = SqlLedger(session)
        self.callable_hours = SqlCallableHours(session)
        self.timers = SqlTimers(session, timers)
