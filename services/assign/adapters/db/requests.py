"""Idempotency records of creating RPCs (``assign_requests``).

Reserving a request id is ``INSERT ... ON CONFLICT DO NOTHING``: on PostgreSQL an insert that conflicts with a
row another transaction has not committed yet waits for it, so two racing retries of one request get one answer.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Connection

from services.assign.adapters.db.tables import assign_requests
from services.assign.domain.ports import RequestRepository, StoredRequest
from services.common.db import dialect_insert, rowcount
from services.common.timeconv import to_us

_r = assign_requests.c


class SqlRequests(RequestRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._insert = dialect_insert(session.dialect.name)

    def reserve(
        self, tenant: str, kind: str, request_id: str, digest: bytes, now: datetime
    ) -> StoredRequest | None:
        statement = (
            self._insert(assign_requests)
            .values(
                tenant_id=tenant,
                request_id=request_id,
                kind=kind,
                digest=digest,
                result_id="",
                create_us=to_us(now),
            )
            .on_conflict_do_nothing()
            .execution_options(preserve_rowcount=True)
        )
        if rowcount(self._s.execute(statement)) == 1:
            return None
        row = self._s.execute(
            sa.select(assign_requests).where(_r.tenant_id == tenant, _r.request_id == request_id)
        ).one()
        return StoredRequest(row.kind, bytes(row.digest), row.result_id)

    def complete(self, tenant: str, request_id: str, result_id: str) -> None:
        self._s.execute(
            sa.update(assign_requests)
            .where(_r.tenant_id == tenant, _r.request_id == request_id)
            .values(result_id=result_id)
        )
