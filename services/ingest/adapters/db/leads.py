"""Leads and the accounts they are visible from (``leads``, ``lead_accounts``).

A lead is inserted with ``INSERT ... ON CONFLICT DO NOTHING`` on its id and a lead-account pair likewise; the
caller learns from the row count whether it won. On PostgreSQL an insert that conflicts with a row another
transaction has not committed yet waits for that transaction, so two concurrent attempts never both win.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from services.common.db import dialect_insert, rowcount
from services.common.erasurestore import wipe_wal_after_commit
from services.common.iterutil import IN_CHUNK, chunks
from services.common.statements import PerDialect
from services.common.timeconv import to_us
from services.ingest.adapters.db import rows
from services.ingest.adapters.db.tables import lead_accounts, leads
from services.ingest.domain.model import Lead, LeadStatus
from services.ingest.domain.ports import LeadFilter, LeadRepository


class _Statements:
    """The submit path's statements (``services.common.statements``): built once, executed with parameters."""

    def moves_from(self, only_from: frozenset[LeadStatus]) -> Any:
        """``move_status`` for many leads at once (executemany): the statuses it moves from written into the
        statement, since an expanding IN parameter cannot be executed many times. One per set, built on first use
        (two threads building the same one at once build equal statements)."""
        statement = self._moves_from.get(only_from)
        if statement is None:
            c = leads.c
            statement = (
                sa.update(leads)
                .where(
                    c.tenant_id == sa.bindparam("tenant"),
                    c.id == sa.bindparam("lead_id"),
                    c.status.in_([sa.literal_column(str(int(s))) for s in sorted(only_from)]),
                )
                .execution_options(preserve_rowcount=True)
                .values(**self._values)
            )
            self._moves_from[only_from] = statement
        return statement

    def __init__(self, dialect: str) -> None:
        c, la = leads.c, lead_accounts.c
        self.get_many = sa.select(leads).where(
            c.tenant_id == sa.bindparam("tenant"), c.id.in_(sa.bindparam("ids", expanding=True))
        )
        self.accounts_of = (
            sa.select(la.lead_id, la.account_id)
            .where(la.lead_id.in_(sa.bindparam("ids", expanding=True)))
            .order_by(la.lead_id, la.add_us, la.account_id)
        )
        self.insert = (
            dialect_insert(dialect)(leads)
            .on_conflict_do_nothing(index_elements=["id"])
            .execution_options(preserve_rowcount=True)
        )
        submit_us = sa.bindparam("submit_us", type_=c.last_submit_us.type)
        self.attach = (
            sa.update(leads)
            .where(c.tenant_id == sa.bindparam("tenant"), c.id == sa.bindparam("lead_id"))
            .values(
                submission_count=c.submission_count + 1,
                last_submit_us=sa.case((c.last_submit_us < submit_us, submit_us), else_=c.last_submit_us),
                update_us=sa.bindparam("now_us", type_=c.update_us.type),
            )
        )
        self.insert_returning = (
            dialect_insert(dialect)(leads).on_conflict_do_nothing(index_elements=["id"]).returning(c.id)
        )
        self.status_of = sa.select(c.status).where(
            c.tenant_id == sa.bindparam("tenant"), c.id == sa.bindparam("id")
        )
        self.move_status = (
            sa.update(leads)
            .where(
                c.tenant_id == sa.bindparam("tenant"),
                c.id == sa.bindparam("lead_id"),
                c.status.in_(sa.bindparam("only_from", expanding=True)),
            )
            .execution_options(preserve_rowcount=True)
            .values(
                status=sa.bindparam("new_status"),
                invalid_reason=sa.bindparam("reason"),
                update_us=sa.bindparam("now_us", type_=c.update_us.type),
            )
        )
        self._moves_from: dict[frozenset[LeadStatus], Any] = {}
        self._values = {
            "status": sa.bindparam("new_status"),
            "invalid_reason": sa.bindparam("reason"),
            "update_us": sa.bindparam("now_us", type_=c.update_us.type),
        }
        self.add_accounts = dialect_insert(dialect)(lead_accounts).on_conflict_do_nothing(
            index_elements=["lead_id", "account_id"]
        )


_STATEMENTS = PerDialect(_Statements)


class SqlLeads(LeadRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._insert = dialect_insert(session.dialect.name)
        self._q = _STATEMENTS.of(session)

    def get(self, tenant: str, lead_id: str) -> Lead | None:
        return self.get_many(tenant, [lead_id]).get(lead_id)

    def status_of(self, tenant: str, lead_id: str) -> LeadStatus | None:
        found = self._s.execute(self._q.status_of, {"tenant": tenant, "id": lead_id}).scalar_one_or_none()
        return None if found is None else LeadStatus(found)

    def get_many(self, tenant: str, lead_ids: Iterable[str]) -> dict[str, Lead]:
        wanted = sorted(set(lead_ids))
        found: list[Any] = []
        for chunk in chunks(wanted, IN_CHUNK):
            found.extend(self._s.execute(self._q.get_many, {"tenant": tenant, "ids": list(chunk)}).mappings())
        accounts = self._accounts_of([row["id"] for row in found])
        return {row["id"]: rows.lead(row, accounts.get(row["id"], ())) for row in found}

    def _accounts_of(self, lead_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        result: dict[str, list[str]] = {}
        for chunk in chunks(lead_ids, IN_CHUNK):
            for lead_id, account_id in self._s.execute(self._q.accounts_of, {"ids": list(chunk)}):
                result.setdefault(lead_id, []).append(account_id)
        return {k: tuple(v) for k, v in result.items()}

    def insert(self, lead: Lead) -> bool:
        return rowcount(self._s.execute(self._q.insert, rows.lead_values(lead))) == 1

    def insert_many(self, leads: Sequence[Lead]) -> set[str]:
        if not leads:
            return set()
        # One multi-row INSERT ... ON CONFLICT DO NOTHING RETURNING id (SQLAlchemy's insertmanyvalues).
        values = [rows.lead_values(lead) for lead in leads]
        return set(self._s.execute(self._q.insert_returning, values).scalars())

    def attach(self, tenant: str, lead_id: str, submit_time: datetime, now: datetime) -> None:
        self._s.execute(
            self._q.attach,
            {"tenant": tenant, "lead_id": lead_id, "submit_us": to_us(submit_time), "now_us": to_us(now)},
        )

    def add_accounts(self, tenant: str, lead_id: str, account_ids: Sequence[str], now: datetime) -> None:
        base = to_us(now)
        values = [
            {"lead_id": lead_id, "account_id": account, "tenant_id": tenant, "add_us": base + offset}
            for offset, account in enumerate(dict.fromkeys(account_ids))
        ]
        self._s.execute(self._q.add_accounts, values)

    def add_accounts_many(self, tenant: str, leads: Sequence[tuple[str, Sequence[str], datetime]]) -> None:
        values = [
            {"lead_id": lead_id, "account_id": account, "tenant_id": tenant, "add_us": to_us(now) + offset}
            for lead_id, account_ids, now in leads
            for offset, account in enumerate(dict.fromkeys(account_ids))
        ]
        if values:
            self._s.execute(self._q.add_accounts, values)

    def move_status_many(
        self,
        moves: Sequence[tuple[str, str]],
        status: LeadStatus,
        invalid_reason: str,
        now: datetime,
        *,
        only_from: frozenset[LeadStatus],
    ) -> int | None:
        if not only_from or not moves:
            return 0
        now_us = to_us(now)
        changed = self._s.execute(
            self._q.moves_from(only_from),
            [
                {
                    "tenant": tenant,
                    "lead_id": lead_id,
                    "new_status": int(status),
                    "reason": invalid_reason,
                    "now_us": now_us,
                }
                for tenant, lead_id in moves
            ],
        )
        count = rowcount(changed)
        return count if count >= 0 else None

    def move_status(
        self,
        tenant: str,
        lead_id: str,
        status: LeadStatus,
        invalid_reason: str,
        now: datetime,
        *,
        only_from: frozenset[LeadStatus],
    ) -> bool:
        if not only_from:
            return False
        changed = self._s.execute(
            self._q.move_status,
            {
                "tenant": tenant,
                "lead_id": lead_id,
                "only_from": sorted(int(s) for s in only_from),
                "new_status": int(status),
                "reason": invalid_reason,
                "now_us": to_us(now),
            },
        )
        return rowcount(changed) == 1

    def _conditions(self, tenant: str, where: LeadFilter) -> list[Any]:
        c = leads.c
        conditions: list[Any] = [c.tenant_id == tenant]
        if where.account_id:
            la = lead_accounts.c
            conditions.append(
                sa.exists().where(
                    la.lead_id == c.id, la.tenant_id == tenant, la.account_id == where.account_id
                )
            )
        for column, value in (
            (c.channel, where.channel),
            (c.traffic_source, where.traffic_source),
            (c.business_source, where.business_source),
            (c.verdict, where.verdict),
            (c.status, where.status),
        ):
            if value:
                conditions.append(column == value)
        if where.submit_start is not None:
            conditions.append(c.first_submit_us >= to_us(where.submit_start))
        if where.submit_end is not None:
            conditions.append(c.first_submit_us < to_us(where.submit_end))
        if where.has_phone is not None:
            conditions.append(c.phone != "" if where.has_phone else c.phone == "")
        return conditions

    def count(self, tenant: str, where: LeadFilter) -> int:
        query = sa.select(sa.func.count()).select_from(leads).where(*self._conditions(tenant, where))
        return int(self._s.execute(query).scalar_one())

    def list(self, tenant: str, where: LeadFilter, after: tuple[int, str] | None, limit: int) -> list[Lead]:
        c = leads.c
        query = sa.select(leads).where(*self._conditions(tenant, where))
        if after is not None:
            t, lead_id = after
            query = query.where(
                sa.or_(c.first_submit_us < t, sa.and_(c.first_submit_us == t, c.id < lead_id))
            )
        found = list(
            self._s.execute(query.order_by(c.first_submit_us.desc(), c.id.desc()).limit(limit)).mappings()
        )
        accounts = self._accounts_of([row["id"] for row in found])
        return [rows.lead(row, accounts.get(row["id"], ())) for row in found]

    def erase(self, tenant: str, lead_id: str, now: datetime, erased_by: str) -> bool:
        wipe_wal_after_commit(self._s)
        c = leads.c
        now_us = to_us(now)
        # WHERE erase_us IS NULL: on PostgreSQL a concurrent erasure's UPDATE waits for this row and then finds
        # nothing to change, so one erasure wins and records lead.erased.
        result = self._s.execute(
            sa.update(leads)
            .where(c.tenant_id == tenant, c.id == lead_id, c.erase_us.is_(None))
            .values(**rows.erased_contact_values(), erase_us=now_us, erased_by=erased_by, update_us=now_us)
        )
        return rowcount(result) == 1

    def is_erased(self, tenant: str, lead_id: str) -> bool:
        c = leads.c
        erase_us = self._s.execute(
            sa.select(c.erase_us).where(c.tenant_id == tenant, c.id == lead_id)
        ).scalar_one_or_none()
        return erase_us is not None

    def contact_fields(self, tenant: str, lead_id: str, names: Sequence[str]) -> dict[str, str] | None:
        c = leads.c
        row = self._s.execute(
            sa.select(*(c[name] for name in names)).where(c.tenant_id == tenant, c.id == lead_id)
        ).one_or_none()
        return None if row is None else {name: row._mapping[name] for name in names}
