"""The refund unit of work on SQLAlchemy. Only the outbox until the refund domain arrives with its repositories."""

from __future__ import annotations

from services.common.dbtx import SqlUnitOfWork


class SqlRefundUnitOfWork(SqlUnitOfWork):
    pass
