"""The assign unit of work on SQLAlchemy. Only the outbox until the assign domain arrives with its repositories."""

from __future__ import annotations

from services.common.dbtx import SqlUnitOfWork


class SqlAssignUnitOfWork(SqlUnitOfWork):
    pass
