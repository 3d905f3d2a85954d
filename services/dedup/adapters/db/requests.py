"""Idempotency records of claims and erasures (``dedup_requests``).

Reserving a request is ``INSERT ... ON CONFLICT DO NOTHING``: on PostgreSQL (READ COMMITTED) an insert that
conflicts with a row another transaction has not committed yet waits for it, so two racing retries of one claim
get one answer. Whether the insert won is read from its RETURNING row (psycopg reports rowcount -1 otherwise).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from services.common.db import PerDialect, dialect_insert
from services.common.timeconv import to_us
from services.common.uow import TransientConflict
from services.dedup.adapters.db.tables import dedup_requests
from services.dedup.domain.ports import AnsweredRequest, RequestRepository, StoredRequest


class _Statements:
    def __init__(self, dialect: str) -> None:
        r = dedup_requests
        self.reserve = dialect_insert(dialect)(r).on_conflict_do_nothing().returning(r.c.request_id)
        self.save_response = (
            sa.update(r)
            .where(r.c.tenant_id == sa.bindparam("tenant"), r.c.request_id == sa.bindparam("rid"))
            .values(response=sa.bindparam("response", type_=r.c.response.type))
        )
        # Two probes of their own indexes (the primary key, the candidate's unique index) joined by UNION ALL: an OR
        # of the two IN lists is planned as a scan of the tenant's requests (EXPLAIN QUERY PLAN on SQLite).
        columns = (r.c.request_id, r.c.candidate_lead_id)
        self.taken = sa.union_all(
            sa.select(*columns).where(
                r.c.tenant_id == sa.bindparam("tenant"),
                r.c.request_id.in_(sa.bindparam("rids", expanding=True)),
            ),
            sa.select(*columns).where(
                r.c.tenant_id == sa.bindparam("tenant"),
                r.c.candidate_lead_id.in_(sa.bindparam("cids", expanding=True)),
            ),
        )


_STATEMENTS = PerDialect(_Statements)


class SqlRequests(RequestRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._q = _STATEMENTS(session.dialect.name)

    def reserve(
        self,
        tenant: str,
        kind: str,
        request_id: str,
        candidate_lead_id: str | None,
        digest: bytes,
        now: datetime,
    ) -> StoredRequest | None:
        result = self._s.execute(
            self._q.reserve,
            {
                "tenant_id": tenant,
                "request_id": request_id,
                "kind": kind,
                "candidate_lead_id": candidate_lead_id,
                "digest": digest,
                "response": None,
                "created_us": to_us(now),
            },
        )
        if result.first() is not None:
            return None
        r = dedup_requests
        match = r.c.request_id == request_id
        if candidate_lead_id is not None:
            match = sa.or_(match, r.c.candidate_lead_id == candidate_lead_id)
        found = self._s.execute(sa.select(r).where(r.c.tenant_id == tenant, match)).all()
        if not found:
            raise TransientConflict()  # cannot happen (requests are never deleted); retry rather than guess
        row = next((x for x in found if x.request_id == request_id), found[0])
        return StoredRequest(
            kind=row.kind,
            request_id=row.request_id,
            candidate_lead_id=row.candidate_lead_id or "",
            digest=bytes(row.digest),
            response=row.response,
        )

    def save_response(self, tenant: str, request_id: str, response: dict[str, Any]) -> None:
        self._s.execute(self._q.save_response, {"tenant": tenant, "rid": request_id, "response": response})

    def taken(
        self, tenant: str, request_ids: Sequence[str], candidate_lead_ids: Sequence[str]
    ) -> tuple[set[str], set[str]]:
        rids: set[str] = set()
        cids: set[str] = set()
        if not request_ids and not candidate_lead_ids:
            return rids, cids
        params = {"tenant": tenant, "rids": list(request_ids), "cids": list(candidate_lead_ids)}
        for row in self._s.execute(self._q.taken, params):
            rids.add(row.request_id)
            if row.candidate_lead_id:
                cids.add(row.candidate_lead_id)
        return rids, cids

    def insert_answered(self, tenant: str, rows: Sequence[AnsweredRequest]) -> int:
        if not rows:
            return 0
        params = [
            {
                "tenant_id": tenant,
                "request_id": row.request_id,
                "kind": row.kind,
                "candidate_lead_id": row.candidate_lead_id,
                "digest": row.digest,
                "response": row.response,
                "created_us": to_us(row.created),
            }
            for row in rows
        ]
        return len(self._s.execute(self._q.reserve, params).all())

    def lead_known(self, tenant: str, lead_id: str) -> bool:
        r = dedup_requests
        query = (
            sa.select(sa.literal(1)).where(r.c.tenant_id == tenant, r.c.candidate_lead_id == lead_id).limit(1)
        )
        return self._s.execute(query).first() is not None
