"""SQLAlchemy storage of push rules and deliveries. Every method works inside the caller's session (transaction).

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
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from services.ingest.adapters.push_tables import PushTables
from services.ingest.adapters.tables import leads
from services.ingest.domain.push import (
    ACTIVE_STATUSES,
    STORED_CONTACT_FIELDS,
    DeliveryStatus,
    PushDelivery,
    PushRule,
    Transition,
)
from services.ingest.domain.timeutil import from_us, to_us

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _insert_for(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    try:
        return _INSERTS[dialect]
    except KeyError:
        raise NotImplementedError(
            f"push repository: no INSERT ... ON CONFLICT for dialect {dialect!r}"
        ) from None


def _rowcount(session: Session, statement: Any) -> int:
    result: CursorResult[Any] = session.execute(statement)  # type: ignore[assignment]
    return result.rowcount


def _us(moment: datetime | None) -> int | None:
    return None if moment is None else to_us(moment)


def _time(micros: int | None) -> datetime | None:
    return None if micros is None else from_us(micros)


@dataclass(frozen=True)
class NewDelivery:
    id: str
    tenant_id: str
    account_id: str
    lead_id: str
    event_id: str
    create_time: datetime
    payload: dict[str, Any] = field(repr=False)  # personal data


@dataclass(frozen=True)
class ClaimedDelivery:
    """A delivery leased to this worker for one attempt, with the rule as it stands now (None: deleted)."""

    delivery: PushDelivery
    attempt: int  # the number of this attempt, 1-based; the fencing token of record_attempt
    rule: PushRule | None


class PushRepository:
    def __init__(self, tables: PushTables) -> None:
        self._rules = tables.rules
        self._deliveries = tables.deliveries

    # ------------------------------------------------------------------------------------------------ rules

    def _rule(self, row: Any) -> PushRule:
        return PushRule(
            tenant_id=row.tenant_id,
            account_id=row.account_id,
            endpoint_url=row.endpoint_url,
            enabled=bool(row.enabled),
            fields=tuple(row.fields or ()),
            secret=row.secret,
            update_time=from_us(row.update_us),
            updated_by=row.updated_by,
        )

    def lead_contact(self, session: Session, tenant_id: str, lead_id: str) -> dict[str, str] | None:
        """The contact fields of one of ingest's own leads that the lead.accepted event does not carry (name,
        WeChat id, e-mail, IP, device id), read in the caller's transaction; None when the lead is not stored."""
        c = leads.c
        row = session.execute(
            sa.select(*(c[name] for name in STORED_CONTACT_FIELDS)).where(
                c.tenant_id == tenant_id, c.id == lead_id
            )
        ).one_or_none()
        return None if row is None else {name: row._mapping[name] for name in STORED_CONTACT_FIELDS}

    def get_rule(
        self, session: Session, tenant_id: str, account_id: str, *, for_update: bool = False
    ) -> PushRule | None:
        r = self._rules
        query = sa.select(r).where(r.c.tenant_id == tenant_id, r.c.account_id == account_id)
        if for_update:
            query = query.with_for_update()
        row = session.execute(query).one_or_none()
        return None if row is None else self._rule(row)

    def upsert_rule(self, session: Session, rule: PushRule) -> None:
        """Create or replace the account's rule (one row per tenant and account, decided by the primary key)."""
        if rule.update_time is None:
            raise ValueError("a stored rule needs its update_time")
        values = {
            "endpoint_url": rule.endpoint_url,
            "enabled": rule.enabled,
            "fields": list(rule.fields),
            "secret": rule.secret,
            "update_us": to_us(rule.update_time),
            "updated_by": rule.updated_by,
        }
        statement = (
            _insert_for(session)(self._rules)
            .values(tenant_id=rule.tenant_id, account_id=rule.account_id, **values)
            .on_conflict_do_update(index_elements=["tenant_id", "account_id"], set_=values)
        )
        session.execute(statement)

    # ------------------------------------------------------------------------------------------------ deliveries

    def _delivery(self, row: Any) -> PushDelivery:
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
            update_time=from_us(row.update_us),
            payload=row.payload or {},
        )

    def create_delivery(self, session: Session, new: NewDelivery) -> bool:
        """Insert a PENDING delivery, due now; False when one exists for the event already (ON CONFLICT)."""
        now_us = to_us(new.create_time)
        statement = (
            _insert_for(session)(self._deliveries)
            .values(
                id=new.id,
                tenant_id=new.tenant_id,
                account_id=new.account_id,
                lead_id=new.lead_id,
                event_id=new.event_id,
                status=int(DeliveryStatus.PENDING),
                attempts=0,
                last_http_status=0,
                last_error="",
                next_attempt_us=now_us,
                payload=new.payload,
                create_us=now_us,
                update_us=now_us,
            )
            .on_conflict_do_nothing(index_elements=["event_id"])
            .execution_options(preserve_rowcount=True)
        )
        return _rowcount(session, statement) == 1

    def get_delivery(self, session: Session, tenant_id: str, delivery_id: str) -> PushDelivery | None:
        d = self._deliveries
        row = session.execute(
            sa.select(d).where(d.c.tenant_id == tenant_id, d.c.id == delivery_id)
        ).one_or_none()
        return None if row is None else self._delivery(row)

    def claim_due(
        self, session: Session, *, now: datetime, lease: timedelta, limit: int
    ) -> list[ClaimedDelivery]:
        """Lease up to ``limit`` due deliveries to the caller (see the module docstring); commit before sending."""
        d = self._deliveries
        now_us = to_us(now)
        due = (
            sa.select(d.c.id)
            .where(d.c.next_attempt_us.is_not(None), d.c.next_attempt_us <= now_us)
            .order_by(d.c.next_attempt_us)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        ids = list(session.execute(due).scalars())
        if not ids:
            return []
        session.execute(
            sa.update(d)
            .where(d.c.id.in_(ids))
            .values(
                next_attempt_us=now_us + lease // timedelta(microseconds=1),
                attempts=d.c.attempts + 1,
                first_attempt_us=sa.func.coalesce(d.c.first_attempt_us, now_us),
                update_us=now_us,
            )
        )
        rows = session.execute(
            sa.select(d).where(d.c.id.in_(ids)).order_by(d.c.next_attempt_us, d.c.id)
        ).all()
        deliveries = [self._delivery(row) for row in rows]
        rules = self._rules_for(session, {(x.tenant_id, x.account_id) for x in deliveries})
        return [
            ClaimedDelivery(delivery=x, attempt=x.attempts, rule=rules.get((x.tenant_id, x.account_id)))
            for x in deliveries
        ]

    def _rules_for(self, session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], PushRule]:
        if not keys:
            return {}
        r = self._rules
        condition = sa.or_(*(sa.and_(r.c.tenant_id == t, r.c.account_id == a) for t, a in sorted(keys)))
        return {
            (row.tenant_id, row.account_id): self._rule(row)
            for row in session.execute(sa.select(r).where(condition))
        }

    def record_attempt(
        self, session: Session, delivery_id: str, attempt: int, transition: Transition, now: datetime
    ) -> bool:
        """Store an attempt's result; False when the claim was lost (lease expired, another attempt began)."""
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
        return _rowcount(session, statement) == 1

    def next_due_time(self, session: Session) -> datetime | None:
        """The earliest next_attempt_time of any active delivery (a lease end counts too); None when idle."""
        d = self._deliveries
        value = session.execute(
            sa.select(sa.func.min(d.c.next_attempt_us)).where(d.c.next_attempt_us.is_not(None))
        ).scalar_one()
        return _time(value)

    def list_deliveries(
        self,
        session: Session,
        tenant_id: str,
        *,
        lead_id: str,
        account_id: str,
        statuses: Sequence[DeliveryStatus],
        after: tuple[int, str] | None,
        limit: int,
    ) -> list[PushDelivery]:
        """Newest first (create_time, then id, descending), after the cursor (create_us, id) of the last page."""
        d = self._deliveries
        query = sa.select(d).where(d.c.tenant_id == tenant_id)
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
        return [self._delivery(row) for row in session.execute(query)]
