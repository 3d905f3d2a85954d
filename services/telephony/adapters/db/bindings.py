"""A-X-B bindings (``telephony_bindings``). ``counted`` says whether the binding still holds a place on its number;
release and expiry clear it by compare-and-set, so a place is given back exactly once."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Connection

from services.common.db import rowcount
from services.common.timeconv import to_us
from services.telephony.adapters.db import rows
from services.telephony.adapters.db.tables import bindings, numbers
from services.telephony.domain.binding import Binding
from services.telephony.domain.ports import BindingRepository, PendingUnbind


class SqlBindings(BindingRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session

    def insert(self, tenant: str, binding: Binding, provider: str) -> None:
        self._s.execute(
            sa.insert(bindings).values(
                id=binding.binding_id,
                tenant_id=tenant,
                number_id=binding.number_id,
                lead_id=binding.lead_id,
                agent_id=binding.agent_id,
                create_us=to_us(binding.create_time),
                expire_us=to_us(binding.expire_time),
                release_us=None,
                provider=provider,
                provider_binding_id=binding.provider_binding_id or None,
                counted=True,
            )
        )

    def get(self, tenant: str, binding_id: str) -> Binding | None:
        b = bindings
        row = self._s.execute(sa.select(b).where(b.c.tenant_id == tenant, b.c.id == binding_id)).first()
        return None if row is None else rows.binding(row)

    def active_for_pair(self, tenant: str, lead_id: str, agent_id: str, now: datetime) -> list[Binding]:
        b = bindings
        query = sa.select(b).where(
            b.c.tenant_id == tenant,
            b.c.lead_id == lead_id,
            b.c.agent_id == agent_id,
            b.c.release_us.is_(None),
            b.c.expire_us > to_us(now),
        )
        return [rows.binding(row) for row in self._s.execute(query)]

    def set_provider_id(self, tenant: str, binding_id: str, provider_binding_id: str) -> None:
        b = bindings
        self._s.execute(
            sa.update(b)
            .where(b.c.tenant_id == tenant, b.c.id == binding_id)
            # Released while the carrier was binding it (the lead was erased meanwhile): unbind it there too.
            .values(provider_binding_id=provider_binding_id, unbind_pending=b.c.release_us.is_not(None))
        )

    def release(self, tenant: str, binding_id: str, now: datetime) -> bool:
        b = bindings
        self._s.execute(
            sa.update(b)
            .where(
                b.c.tenant_id == tenant,
                b.c.id == binding_id,
                b.c.release_us.is_(None),
                b.c.expire_us > to_us(now),
            )
            .values(release_us=to_us(now))
        )
        return self._uncount(tenant, binding_id)

    def expire(self, tenant: str, binding_id: str) -> bool:
        return self._uncount(tenant, binding_id)

    def _uncount(self, tenant: str, binding_id: str) -> bool:
        b = bindings
        result = self._s.execute(
            sa.update(b)
            .where(b.c.tenant_id == tenant, b.c.id == binding_id, b.c.counted.is_(True))
            .values(counted=False)
        )
        return rowcount(result) == 1

    def delete(self, tenant: str, binding_id: str) -> None:
        b = bindings
        self._s.execute(sa.delete(b).where(b.c.tenant_id == tenant, b.c.id == binding_id))

    def active_of_number(self, tenant: str, number_id: str, now: datetime) -> list[Binding]:
        b = bindings
        query = sa.select(b).where(
            b.c.tenant_id == tenant,
            b.c.number_id == number_id,
            b.c.counted.is_(True),
            b.c.release_us.is_(None),
            b.c.expire_us > to_us(now),
        )
        return [rows.binding(row) for row in self._s.execute(query)]

    def by_provider(self, provider: str, provider_binding_id: str) -> tuple[str, Binding] | None:
        b = bindings
        row = self._s.execute(
            sa.select(b).where(b.c.provider == provider, b.c.provider_binding_id == provider_binding_id)
        ).first()
        return None if row is None else (row.tenant_id, rows.binding(row))

    def active_of_lead(self, tenant: str, lead_id: str, now: datetime) -> list[Binding]:
        b = bindings
        query = sa.select(b).where(
            b.c.tenant_id == tenant,
            b.c.lead_id == lead_id,
            b.c.release_us.is_(None),
            b.c.expire_us > to_us(now),
        )
        return [rows.binding(row) for row in self._s.execute(query)]

    def mark_unbind(self, tenant: str, binding_id: str) -> None:
        b = bindings
        self._s.execute(
            sa.update(b)
            .where(b.c.tenant_id == tenant, b.c.id == binding_id, b.c.provider_binding_id.is_not(None))
            .values(unbind_pending=True)
        )

    def pending_unbinds(self, limit: int) -> list[PendingUnbind]:
        b, n = bindings, numbers
        query = (
            sa.select(b.c.tenant_id, b.c.id, b.c.provider, b.c.provider_binding_id, n.c.phone_number)
            .join(n, sa.and_(n.c.id == b.c.number_id, n.c.tenant_id == b.c.tenant_id))
            .where(b.c.unbind_pending)
            .order_by(b.c.id)
            .limit(limit)
        )
        return [PendingUnbind(*row) for row in self._s.execute(query)]

    def unbound(self, tenant: str, binding_id: str) -> None:
        b = bindings
        self._s.execute(
            sa.update(b).where(b.c.tenant_id == tenant, b.c.id == binding_id).values(unbind_pending=False)
        )
