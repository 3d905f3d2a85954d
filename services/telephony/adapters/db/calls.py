"""Calls (``telephony_calls``): the row keeps the call's distinct carrier events (JSON) and the fields lists filter
on; the record itself is derived from the events when read (``domain.call.merge``), so stored and derived state
cannot drift apart. Writes are compare-and-set on ``version``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from services.common.db import PerDialect, dialect_insert, rowcount
from services.common.timeconv import from_us, to_us
from services.common.uow import TransientConflict
from services.telephony.adapters.db import rows
from services.telephony.adapters.db.tables import calls
from services.telephony.domain.call import Call, CallMode, CallState, merge
from services.telephony.domain.outcomes import CallOutcome
from services.telephony.domain.ports import CallFilter, CallRepository, StoredCall


class _Statements:
    def __init__(self, dialect: str) -> None:
        c = calls
        self.insert = dialect_insert(dialect)(c).on_conflict_do_nothing().returning(c.c.id)
        tenant = c.c.tenant_id == sa.bindparam("tenant")
        self.get = sa.select(c).where(tenant, c.c.id == sa.bindparam("call_id"))
        self.by_request = sa.select(c).where(tenant, c.c.request_id == sa.bindparam("request_id"))
        self.by_provider_call = sa.select(c).where(
            tenant, c.c.provider == sa.bindparam("provider"), c.c.provider_call_id == sa.bindparam("pcid")
        )
        # The unique (tenant, lead, attempt) index answers it without a sort.
        self.latest_of_lead = (
            sa.select(c)
            .where(tenant, c.c.lead_id == sa.bindparam("lead_id"))
            .order_by(c.c.attempt_number.desc())
            .limit(1)
        )
        self.save = (
            sa.update(c)
            .where(tenant, c.c.id == sa.bindparam("call_id"), c.c.version == sa.bindparam("expected"))
            .values(
                state=sa.bindparam("state"),
                outcome=sa.bindparam("outcome"),
                release_us=sa.bindparam("release_us"),
                published_outcome=sa.bindparam("published_outcome"),
                completion_revision=sa.bindparam("completion_revision"),
                events=sa.bindparam("events", type_=c.c.events.type),
                provider_call_id=sa.func.coalesce(
                    c.c.provider_call_id, sa.bindparam("pcid", type_=sa.String())
                ),
                version=sa.bindparam("expected") + 1,
                update_us=sa.bindparam("now"),
            )
        )


_STATEMENTS = PerDialect(_Statements)


def _stored(row: Any) -> StoredCall:
    events = tuple(rows.event(e) for e in row.events)
    call = Call(
        call_id=row.id,
        tenant_id=row.tenant_id,
        lead_id=row.lead_id,
        agent_id=row.agent_id,
        account_id=row.account_id,
        binding_id=row.binding_id,
        number_id=row.number_id,
        masked_number=row.masked_number,
        mode=CallMode(row.mode),
        attempt_number=row.attempt_number,
        start_time=from_us(row.start_us),
        events=events,
        progress=merge(events),
        published_outcome=CallOutcome(row.published_outcome),
        completion_revision=row.completion_revision,
    )
    return StoredCall(
        call=call,
        version=row.version,
        request_id=row.request_id,
        provider=row.provider,
        provider_call_id=row.provider_call_id or "",
        update_time=from_us(row.update_us),
    )


class SqlCalls(CallRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._q = _STATEMENTS(session.dialect.name)

    def _one(self, statement: Any, params: dict[str, Any]) -> StoredCall | None:
        row = self._s.execute(statement, params).first()
        return None if row is None else _stored(row)

    def insert(self, call: Call, request_id: str, provider: str, now: datetime) -> bool:
        progress = call.progress
        result = self._s.execute(
            self._q.insert,
            {
                "id": call.call_id,
                "tenant_id": call.tenant_id,
                "request_id": request_id,
                "lead_id": call.lead_id,
                "agent_id": call.agent_id,
                "account_id": call.account_id,
                "binding_id": call.binding_id,
                "number_id": call.number_id,
                "masked_number": call.masked_number,
                "mode": int(call.mode),
                "attempt_number": call.attempt_number,
                "start_us": to_us(call.start_time),
                "state": int(progress.state),
                "outcome": int(progress.outcome),
                "release_us": rows.us(progress.release_time),
                "provider": provider,
                "provider_call_id": None,
                "published_outcome": int(call.published_outcome),
                "completion_revision": call.completion_revision,
                "events": [rows.event_json(e) for e in call.events],
                "version": 1,
                "update_us": to_us(now),
            },
        )
        return result.first() is not None

    def by_request(self, tenant: str, request_id: str) -> StoredCall | None:
        return self._one(self._q.by_request, {"tenant": tenant, "request_id": request_id})

    def get(self, tenant: str, call_id: str) -> StoredCall | None:
        return self._one(self._q.get, {"tenant": tenant, "call_id": call_id})

    def by_provider_call(self, tenant: str, provider: str, provider_call_id: str) -> StoredCall | None:
        return self._one(
            self._q.by_provider_call, {"tenant": tenant, "provider": provider, "pcid": provider_call_id}
        )

    def unclaimed_of_binding(self, tenant: str, binding_id: str, provider: str) -> list[StoredCall]:
        c = calls
        query = (
            sa.select(c)
            .where(
                c.c.tenant_id == tenant,
                c.c.binding_id == binding_id,
                c.c.provider == provider,
                c.c.provider_call_id.is_(None),
            )
            .order_by(c.c.start_us.desc(), c.c.id.desc())
        )
        return [_stored(row) for row in self._s.execute(query)]

    def save(
        self, stored: StoredCall, call: Call, now: datetime, provider_call_id: str | None = None
    ) -> None:
        progress = call.progress
        result = self._s.execute(
            self._q.save,
            {
                "tenant": call.tenant_id,
                "call_id": call.call_id,
                "expected": stored.version,
                "state": int(progress.state),
                "outcome": int(progress.outcome),
                "release_us": rows.us(progress.release_time),
                "published_outcome": int(call.published_outcome),
                "completion_revision": call.completion_revision,
                "events": [rows.event_json(e) for e in call.events],
                "pcid": provider_call_id,
                "now": to_us(now),
            },
        )
        if rowcount(result) != 1:
            raise TransientConflict()  # another event of this call was applied meanwhile: run again on its row

    def delete(self, tenant: str, call_id: str) -> None:
        c = calls
        self._s.execute(sa.delete(c).where(c.c.tenant_id == tenant, c.c.id == call_id))

    def latest_of_lead(self, tenant: str, lead_id: str) -> StoredCall | None:
        return self._one(self._q.latest_of_lead, {"tenant": tenant, "lead_id": lead_id})

    def page(
        self, tenant: str, where: CallFilter, after: tuple[datetime, str] | None, limit: int
    ) -> list[StoredCall]:
        c = calls
        query = sa.select(c).where(c.c.tenant_id == tenant)
        if where.lead_id:
            query = query.where(c.c.lead_id == where.lead_id)
        if where.agent_id:
            query = query.where(c.c.agent_id == where.agent_id)
        if where.outcome is not CallOutcome.UNSPECIFIED:
            query = query.where(c.c.outcome == int(where.outcome))
        if where.start_from is not None:
            query = query.where(c.c.start_us >= to_us(where.start_from))
        if where.start_before is not None:
            query = query.where(c.c.start_us < to_us(where.start_before))
        if after is not None:
            start, call_id = to_us(after[0]), after[1]
            query = query.where(
                sa.or_(c.c.start_us < start, sa.and_(c.c.start_us == start, c.c.id < call_id))
            )
        query = query.order_by(c.c.start_us.desc(), c.c.id.desc()).limit(limit)
        return [_stored(row) for row in self._s.execute(query)]

    def number_outcomes(
        self, tenant: str, number_id: str, since: datetime | None, limit: int
    ) -> list[CallOutcome]:
        c = calls
        query = sa.select(c.c.outcome).where(
            c.c.tenant_id == tenant, c.c.number_id == number_id, c.c.state == int(CallState.ENDED)
        )
        if since is not None:
            query = query.where(c.c.release_us >= to_us(since))
        query = query.order_by(c.c.release_us.desc()).limit(limit)
        return [CallOutcome(o) for o in reversed(self._s.execute(query).scalars().all())]

    def pool_outcomes(self, tenant: str, limit: int) -> list[CallOutcome]:
        c = calls
        query = (
            sa.select(c.c.outcome)
            .where(c.c.tenant_id == tenant, c.c.state == int(CallState.ENDED))
            .order_by(c.c.release_us.desc())
            .limit(limit)
        )
        return [CallOutcome(o) for o in reversed(self._s.execute(query).scalars().all())]

    def erase_evidence(self, tenant: str, lead_id: str) -> int:
        c = calls
        found = self._s.execute(
            sa.select(c.c.id, c.c.events).where(c.c.tenant_id == tenant, c.c.lead_id == lead_id)
        ).all()
        changed = 0
        for call_id, events in found:
            erased = [rows.erased_event_json(event) for event in events or []]
            if erased != events:
                self._s.execute(
                    sa.update(c)
                    .where(c.c.tenant_id == tenant, c.c.id == call_id)
                    .values(events=erased, version=c.c.version + 1)
                )
                changed += 1
        return changed
