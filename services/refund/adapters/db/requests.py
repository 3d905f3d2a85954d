"""Idempotency records (``refund_requests``): the first request under a key, by (tenant, operation, request id)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Connection

from services.common.db import PerDialect, dialect_insert
from services.common.timeconv import to_us
from services.refund.adapters.db.tables import refund_requests
from services.refund.domain.idempotency import IdempotencyRecord
from services.refund.domain.ports import RequestRepository

t = refund_requests


class _Statements:
    def __init__(self, dialect: str) -> None:
        self.get = sa.select(t).where(
            t.c.tenant_id == sa.bindparam("tenant"),
            t.c.operation == sa.bindparam("operation"),
            t.c.request_id == sa.bindparam("rid"),
        )
        self.insert = dialect_insert(dialect)(t).on_conflict_do_nothing().returning(t.c.request_id)


_STATEMENTS = PerDialect(_Statements)


class SqlRequests(RequestRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._q = _STATEMENTS(session.dialect.name)

    def get(self, tenant: str, operation: str, request_id: str) -> IdempotencyRecord | None:
        params = {"tenant": tenant, "operation": operation, "rid": request_id}
        row = self._s.execute(self._q.get, params).one_or_none()
        return (
            None
            if row is None
            else IdempotencyRecord(row.operation, row.request_id, row.fingerprint, row.result_id)
        )

    def insert(self, tenant: str, record: IdempotencyRecord, now: datetime) -> bool:
        values = {
            "tenant_id": tenant,
            "operation": record.operation,
            "request_id": record.request_id,
            "fingerprint": record.fingerprint,
            "result_id": record.result_id,
            "created_us": to_us(now),
        }
        return self._s.execute(self._q.insert, values).first() is not None
