"""Push rules and deliveries (线索推送) of the ingest store.

Claiming due deliveries with several replicas (``claim_due``):

- PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED`` picks due rows no other transaction is claiming, and the same
  transaction moves their ``next_attempt_us`` forward by a lease and counts the attempt, then commits. For the
  length of the lease no replica sees the row as due, so no other replica sends it while the HTTP call runs (the
  lease must outlast the send deadline). If the worker dies mid-send, the row becomes due again when the lease ends.
- SQLite: write transactions begin with ``BEGIN IMMEDIATE`` (``services.common.db``), one writer at a time, so the
  select and the update can't interleave with another claim; ``FOR UPDATE`` is not rendered there.

Recording a result is fenced by the attempt number taken at claim time: the update applies only while
``attempts`` still equals it, so a worker whose lease ran out can't overwrite a newer attempt's result.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from services.common.db import dialect_insert, rowcount
from services.common.statements import PerDialect
from services.common.timeconv import from_us, span_us, to_us
from services.common.txmemo import TransactionMemo
from services.ingest.adapters.db.tables import push
from services.ingest.domain.erasure import GIVEN_UP_ERROR
from services.ingest.domain.ports import PushRepository
from services.ingest.domain.push import (
    ACTIVE_STATUSES,
    DEFAULT_EVENT_TYPES,
    ClaimedDelivery,
    DeliveryStatus,
    NewDelivery,
    PushDelivery,
    PushEventType,
    PushRule,
    Transition,
)


def _us(moment: datetime | None) -> int | None:
    return None if moment is None else to_us(moment)


def _time(micros: int | None) -> datetime | None:
    return None if micros is None else from_us(micros)


def _rule(row: Any) -> PushRule:
    return PushRule(
        tenant_id=row.tenant_id,
        account_id=row.account_id,
        endpoint_url=row.endpoint_url,
        enabled=bool(row.enabled),
        fields=tuple(row.fields or ()),
        secret=row.secret,
        update_time=from_us(row.update_us),
        updated_by=row.updated_by,
        event_types=tuple(PushEventType(value) for value in row.event_types or ()) or DEFAULT_EVENT_TYPES,
    )


def _delivery(row: Any) -> PushDelivery:
    return PushDelivery(
        id=row.id,
        tenant_id=row.tenant_id,
        account_id=row.account_id,
        lead_id=row.lead_id,
        event_id=row.event_id,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        last_http_status=row.last_http_status,
        last_error=row.last_error,
        next_attempt_time=_time(row.next_attempt_us),
        first_attempt_time=_time(row.first_attempt_us),
        delivered_time=_time(row.delivered_us),
        create_time=from_us(row.create_us),
        event_type=PushEventType(row.event_type),
        update_time=from_us(row.update_us),
        payload=row.payload or {},
    )


class _Statements:
    """The consumer path's statements (every accepted lead reads its account's rule), built once."""

    def __init__(self, dialect: str) -> None:
        r = push.rules
        self.get_rule = sa.select(r).where(
            r.c.tenant_id == sa.bindparam("tenant"), r.c.account_id == sa.bindparam("account")
        )
        self.get_rule_for_update = self.get_rule.with_for_update()
        # Scheduling, in the submission's write transaction for accepted leads (once per event id).
        self.create_delivery = (
            dialect_insert(dialect)(push.deliveries)
            .on_conflict_do_nothing(index_elements=["event_id"])
            .execution_options(preserve_rowcount=True)
        )
        # The delivery worker's polls.
        d = push.deliveries
        self.due_ids = (
            sa.select(d.c.id)
            .where(d.c.next_attempt_us.is_not(None), d.c.next_attempt_us <= sa.bindparam("now_us"))
            .order_by(d.c.next_attempt_us)
            .limit(sa.bindparam("limit", type_=sa.Integer()))
            .with_for_update(skip_locked=True)
        )
        self.lease = (
            sa.update(d)
            .where(d.c.id.in_(sa.bindparam("ids", expanding=True)))
            .values(
                next_attempt_us=sa.bindparam("until_us", type_=sa.BigInteger()),
                attempts=d.c.attempts + 1,
                first_attempt_us=sa.func.coalesce(
                    d.c.first_attempt_us, sa.bindparam("now_us", type_=sa.BigInteger())
                ),
                update_us=sa.bindparam("now_us", type_=sa.BigInteger()),
            )
        )
        self.leased = (
            sa.select(d)
            .where(d.c.id.in_(sa.bindparam("ids", expanding=True)))
            .order_by(d.c.next_attempt_us, d.c.id)
        )
        self.next_due_us = sa.select(sa.func.min(d.c.next_attempt_us)).where(d.c.next_attempt_us.is_not(None))


_STATEMENTS = PerDialect(_Statements)
# A consumer batch reads the rule of every accepted lead, mostly the same few accounts: once per transaction.
_RULES: TransactionMemo[PushRule | None] = TransactionMemo("ingest.push_rules")


class SqlPush(PushRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._q = _STATEMENTS.of(session)
        self._insert = dialect_insert(session.dialect.name)
        self._rules = push.rules
        self._deliveries = push.deliveries

    def _rowcount(self, statement: Any) -> int:
        return rowcount(self._s.execute(statement))

    # ------------------------------------------------------------------------------------------------ rules

    def get_rule(self, tenant: str, account_id: str, *, for_update: bool = False) -> PushRule | None:
        if for_update:
            row = self._s.execute(
                self._q.get_rule_for_update, {"tenant": tenant, "account": account_id}
            ).one_or_none()
            return None if row is None else _rule(row)

        def load() -> PushRule | None:
            row = self._s.execute(self._q.get_rule, {"tenant": tenant, "account": account_id}).one_or_none()
            return None if row is None else _rule(row)

        return _RULES.get(self._s, (tenant, account_id), load)

    def upsert_rule(self, rule: PushRule) -> None:
        _RULES.written(self._s)
        if rule.update_time is None:
            raise ValueError("a stored rule needs its update_time")
        values = {
            "endpoint_url": rule.endpoint_url,
            "enabled": rule.enabled,
            "fields": list(rule.fields),
            "secret": rule.secret,
            "update_us": to_us(rule.update_time),
            "updated_by": rule.updated_by,
            "event_types": [str(value) for value in rule.event_types],
        }
        statement = (
            self._insert(self._rules)
            .values(tenant_id=rule.tenant_id, account_id=rule.account_id, **values)
            .on_conflict_do_update(index_elements=["tenant_id", "account_id"], set_=values)
        )
        self._s.execute(statement)

    # ------------------------------------------------------------------------------------------------ deliveries

    def create_delivery(self, new: NewDelivery) -> bool:
        now_us = to_us(new.create_time)
        values = {
            "id": new.id,
            "tenant_id": new.tenant_id,
            "account_id": new.account_id,
            "lead_id": new.lead_id,
            "event_id": new.event_id,
            "status": int(DeliveryStatus.PENDING),
            "attempts": 0,
            "last_http_status": 0,
            "last_error": "",
            "next_attempt_us": now_us,
            "first_attempt_us": None,
            "delivered_us": None,
            "payload": new.payload,
            "event_type": str(new.event_type),
            "create_us": now_us,
            "update_us": now_us,
        }
        return rowcount(self._s.execute(self._q.create_delivery, values)) == 1

    def get_delivery(self, tenant: str, delivery_id: str) -> PushDelivery | None:
        d = self._deliveries
        row = self._s.execute(
            sa.select(d).where(d.c.tenant_id == tenant, d.c.id == delivery_id)
        ).one_or_none()
        return None if row is None else _delivery(row)

    def claim_due(self, now: datetime, lease: timedelta, limit: int) -> list[ClaimedDelivery]:
        now_us = to_us(now)
        ids = list(self._s.execute(self._q.due_ids, {"now_us": now_us, "limit": limit}).scalars())
        if not ids:
            return []
        self._s.execute(self._q.lease, {"ids": ids, "until_us": now_us + span_us(lease), "now_us": now_us})
        found = self._s.execute(self._q.leased, {"ids": ids}).all()
        deliveries = [_delivery(row) for row in found]
        rules = self._rules_for({(x.tenant_id, x.account_id) for x in deliveries})
        return [
            ClaimedDelivery(delivery=x, attempt=x.attempts, rule=rules.get((x.tenant_id, x.account_id)))
            for x in deliveries
        ]

    def _rules_for(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], PushRule]:
        if not keys:
            return {}
        r = self._rules
        condition = sa.or_(*(sa.and_(r.c.tenant_id == t, r.c.account_id == a) for t, a in sorted(keys)))
        return {
            (row.tenant_id, row.account_id): _rule(row)
            for row in self._s.execute(sa.select(r).where(condition))
        }

    def record_attempt(self, delivery_id: str, attempt: int, transition: Transition, now: datetime) -> bool:
        d = self._deliveries
        statement = (
            sa.update(d)
            .where(
                d.c.id == delivery_id,
                d.c.attempts == attempt,
                d.c.status.in_([int(s) for s in ACTIVE_STATUSES]),
            )
            .values(
                status=int(transition.status),
                last_http_status=transition.last_http_status,
                last_error=transition.last_error,
                next_attempt_us=_us(transition.next_attempt_time),
                delivered_us=_us(transition.delivered_time),
                update_us=to_us(now),
            )
        )
        return self._rowcount(statement) == 1

    def next_due_time(self) -> datetime | None:
        return _time(self._s.execute(self._q.next_due_us).scalar_one())

    def list_deliveries(
        self,
        tenant: str,
        *,
        lead_id: str,
        account_id: str,
        statuses: Sequence[DeliveryStatus],
        after: tuple[int, str] | None,
        limit: int,
    ) -> list[PushDelivery]:
        d = self._deliveries
        query = sa.select(d).where(d.c.tenant_id == tenant)
        if lead_id:
            query = query.where(d.c.lead_id == lead_id)
        if account_id:
            query = query.where(d.c.account_id == account_id)
        if statuses:
            query = query.where(d.c.status.in_([int(s) for s in statuses]))
        if after is not None:
            create_us, last_id = after
            query = query.where(
                sa.or_(d.c.create_us < create_us, sa.and_(d.c.create_us == create_us, d.c.id < last_id))
            )
        query = query.order_by(d.c.create_us.desc(), d.c.id.desc()).limit(limit)
        return [_delivery(row) for row in self._s.execute(query)]

    def erase_of_lead(self, tenant: str, lead_id: str, now: datetime) -> int:
        d = self._deliveries
        active = d.c.status.in_([int(s) for s in ACTIVE_STATUSES])
        statement = (
            sa.update(d)
            .where(d.c.tenant_id == tenant, d.c.lead_id == lead_id)
            .values(
                payload={},
                # Given up: record_attempt only applies to an active delivery, so an attempt in flight now can't
                # schedule another one.
                status=sa.case((active, int(DeliveryStatus.GAVE_UP)), else_=d.c.status),
                last_error=sa.case((active, GIVEN_UP_ERROR), else_=d.c.last_error),
                next_attempt_us=sa.case((active, sa.null()), else_=d.c.next_attempt_us),
                update_us=to_us(now),
            )
        )
        return self._rowcount(statement)
