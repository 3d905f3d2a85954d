"""The telephony unit of work on SQLAlchemy. Only the outbox until the telephony domain arrives with its repositories."""

from __future__ import annotations

from services.common.dbtx import SqlUnitOfWork


class SqlTelephonyUnitOfWork(SqlUnitOfWork):
    pass
