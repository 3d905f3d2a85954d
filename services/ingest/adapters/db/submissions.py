"""Submissions (``submissions``): the audit trail of every submission and the record of both idempotency keys.

A submission is inserted with ``INSERT ... ON CONFLICT DO NOTHING`` against both keys (the unique (tenant,
request_id) constraint and the partial unique index on (tenant, account, channel, external_id)): a conflict on
either means "stored already", and the row count tells the caller whether it won.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy import Connection

from services.common.db import dialect_insert, rowcount
from services.common.iterutil import chunks
from services.common.statements import PerDialect, PerShape
from services.common.timeconv import to_us
from services.ingest.adapters.db import rows
from services.ingest.adapters.db.leads import IN_CHUNK
from services.ingest.adapters.db.tables import REJECTED_SUBMISSION, submissions
from services.ingest.domain.model import Submission
from services.ingest.domain.ports import ExternalKey, SubmissionFilter, SubmissionRepository


class _Statements:
    """The submit path's statements (``services.common.statements``): built once, executed with parameters."""

    def __init__(self, dialect: str) -> None:
        s = submissions.c
        self.by_request_ids = sa.select(submissions).where(
            s.tenant_id == sa.bindparam("tenant"), s.request_id.in_(sa.bindparam("ids", expanding=True))
        )
        self.by_external_keys = PerShape(_by_external_keys)
        # No conflict target: a conflict on the request id or on the external-id key both mean "stored already".
        self.insert = (
            dialect_insert(dialect)(submissions)
            .on_conflict_do_nothing()
            .execution_options(preserve_rowcount=True)
        )
        self.insert_returning = dialect_insert(dialect)(submissions).on_conflict_do_nothing().returning(s.id)


def _by_external_keys(count: int) -> sa.TextualSelect:
    """The submissions of ``count`` external-id keys (account, channel, external id): the keys as a VALUES list, each
    probing the partial unique index ``uq_submissions_tenant_external`` on all four of its columns. Asked by the
    external id alone (``external_id IN (...)``), SQLite searched the index ``ix_submissions_tenant_submit`` on
    ``tenant_id`` and read every submission of the tenant (EXPLAIN QUERY PLAN, SQLite 3.40). ``CROSS JOIN`` keeps the
    list the outer loop on SQLite (as dedup's key lookup does); ``external_id != ''`` lets both databases use the
    partial index. Parameters: ``tenant`` and ``a<i>``, ``c<i>``, ``e<i>`` for each key. Kept per count
    (``PerShape``): at most ``KEYS_PER_LOOKUP`` of them."""
    listed = ", ".join(f"(:a{i}, :c{i}, :e{i})" for i in range(count))
    return (
        sa.text(
            f"SELECT {', '.join(f's.{c.name}' for c in submissions.c)}"  # noqa: S608 - column and bind names only
            f" FROM (VALUES {listed}) AS v CROSS JOIN {submissions.name} AS s"
            " WHERE s.tenant_id = :tenant AND s.account_id = v.column1 AND s.channel = v.column2"
            " AND s.external_id = v.column3 AND s.external_id != ''"
        )
        .bindparams(*(sa.bindparam(f"c{i}", type_=sa.Integer()) for i in range(count)))
        .columns(*submissions.c)
    )


_STATEMENTS = PerDialect(_Statements)
KEYS_PER_LOOKUP = 200  # 600 bind parameters a statement: far under SQLite's and PostgreSQL's limits


class SqlSubmissions(SubmissionRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._q = _STATEMENTS.of(session)

    def by_request_ids(self, tenant: str, request_ids: Iterable[str]) -> dict[str, Submission]:
        found: dict[str, Submission] = {}
        for chunk in chunks(sorted(set(request_ids)), IN_CHUNK):
            params = {"tenant": tenant, "ids": list(chunk)}
            for row in self._s.execute(self._q.by_request_ids, params).mappings():
                found[row["request_id"]] = rows.submission(row)
        return found

    def by_external_keys(self, tenant: str, keys: Iterable[ExternalKey]) -> dict[ExternalKey, Submission]:
        found: dict[ExternalKey, Submission] = {}
        for chunk in chunks(sorted(set(keys)), KEYS_PER_LOOKUP):
            params: dict[str, object] = {"tenant": tenant}
            for i, (account, channel, external_id) in enumerate(chunk):
                params |= {f"a{i}": account, f"c{i}": int(channel), f"e{i}": external_id}
            for row in self._s.execute(self._q.by_external_keys(len(chunk)), params).mappings():
                found[(row["account_id"], int(row["channel"]), row["external_id"])] = rows.submission(row)
        return found

    def insert(self, submission: Submission) -> bool:
        return rowcount(self._s.execute(self._q.insert, rows.submission_values(submission))) == 1

    def insert_many(self, submissions: Sequence[Submission]) -> set[str]:
        if not submissions:
            return set()
        # One multi-row INSERT ... ON CONFLICT DO NOTHING RETURNING id (SQLAlchemy's insertmanyvalues).
        values = [rows.submission_values(submission) for submission in submissions]
        return set(self._s.execute(self._q.insert_returning, values).scalars())

    def list(
        self, tenant: str, where: SubmissionFilter, after: tuple[int, str] | None, limit: int
    ) -> list[Submission]:
        s = submissions.c
        query = sa.select(submissions).where(s.tenant_id == tenant)
        if where.lead_id:
            query = query.where(s.lead_id == where.lead_id)
        if where.account_id:
            query = query.where(s.account_id == where.account_id)
        if where.verdict:
            query = query.where(s.verdict == where.verdict)
        if where.submit_start is not None:
            query = query.where(s.submit_us >= to_us(where.submit_start))
        if where.submit_end is not None:
            query = query.where(s.submit_us < to_us(where.submit_end))
        if after is not None:
            query = query.where(
                sa.tuple_(s.submit_us, s.id) > sa.tuple_(sa.literal(after[0]), sa.literal(after[1]))
            )
        found = self._s.execute(query.order_by(s.submit_us, s.id).limit(limit)).mappings()
        return [rows.submission(row) for row in found]

    def erase(self, tenant: str, lead_id: str, numbers: Sequence[str]) -> int:
        s = submissions.c
        values = {**rows.erased_contact_values(), "attributes": {}}
        changed = rowcount(
            self._s.execute(
                sa.update(submissions).where(s.tenant_id == tenant, s.lead_id == lead_id).values(values)
            )
        )
        for chunk in chunks(sorted(set(numbers)), IN_CHUNK):
            # REJECTED_SUBMISSION verbatim, so the partial index ix_submissions_rejected_phone serves the lookup.
            changed += rowcount(
                self._s.execute(
                    sa.update(submissions)
                    .where(s.tenant_id == tenant, REJECTED_SUBMISSION, s.phone.in_(chunk))
                    .values(values)
                )
            )
        return changed
