"""A-X-B bindings (``telephony_bindings``). ``counted`` says whether the binding still holds a place on its number;
release and expiry clear it by compare-and-set, so a place is given back exactly once."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Connection

from services.common.db import rowcount
from services.common.statements import PerDialect
from services.common.timeconv import to_us
from services.telephony.adapters.db import rows
from services.telephony.adapters.db.tables import bindings, numbers
from services.telephony.domain.binding import Binding
from services.telephony.domain.ports import BindingRepository, PendingUnbind


class _Statements:
    """Built once (``services.common.statements``): StartCall and the unbind worker's poll run these."""

    def __init__(self, _dialect: str) -> None:
        b, n = bindings, numbers
        p = sa.bindparam
        one = (b.c.tenant_id == p("tenant"), b.c.id == p("binding_id"))
        live = (b.c.release_us.is_(None), b.c.expire_us > p("now_us"))
        self.insert = sa.insert(b)
        self.get = sa.select(b).where(*one)
        self.active_for_pair = sa.select(b).where(
            b.c.tenant_id == p("tenant"), b.c.lead_id == p("lead_id"), b.c.agent_id == p("agent_id"), *live
        )
        # Released while the carrier was binding it (the lead was erased meanwhile): unbind it there too. Only the
        # first confirmation counts: a StartCall repeated after a crash may have bound again concurrently.
        self.set_provider_id = (
            sa.update(b)
            .where(*one, sa.func.coalesce(b.c.provider_binding_id, "") == "")
            .values(provider_binding_id=p("provider_binding_id"), unbind_pending=b.c.release_us.is_not(None))
            .execution_options(preserve_rowcount=True)
        )
        self.release = sa.update(b).where(*one, *live).values(release_us=p("now_us"))
        self.uncount = (
            sa.update(b)
            .where(*one, b.c.counted.is_(True))
            .values(counted=False)
            .execution_options(preserve_rowcount=True)
        )
        self.delete = sa.delete(b).where(*one)
        self.active_of_number = sa.select(b).where(
            b.c.tenant_id == p("tenant"), b.c.number_id == p("number_id"), b.c.counted.is_(True), *live
        )
        self.by_provider = sa.select(b).where(
            b.c.provider == p("provider"), b.c.provider_binding_id == p("provider_binding_id")
        )
        self.active_of_lead = sa.select(b).where(
            b.c.tenant_id == p("tenant"), b.c.lead_id == p("lead_id"), *live
        )
        self.mark_unbind = (
            sa.update(b).where(*one, b.c.provider_binding_id.is_not(None)).values(unbind_pending=True)
        )
        self.pending_unbinds = (
            sa.select(b.c.tenant_id, b.c.id, b.c.provider, b.c.provider_binding_id, n.c.phone_number)
            .join(n, sa.and_(n.c.id == b.c.number_id, n.c.tenant_id == b.c.tenant_id))
            .where(b.c.unbind_pending)
            .order_by(b.c.id)
            .limit(p("limit"))
        )
        self.unbound = sa.update(b).where(*one).values(unbind_pending=False)


_STATEMENTS = PerDialect(_Statements)


class SqlBindings(BindingRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._q = _STATEMENTS(session.dialect.name)

    def insert(self, tenant: str, binding: Binding, provider: str) -> None:
        self._s.execute(
            self._q.insert,
            {
                "id": binding.binding_id,
                "tenant_id": tenant,
                "number_id": binding.number_id,
                "lead_id": binding.lead_id,
                "agent_id": binding.agent_id,
                "create_us": to_us(binding.create_time),
                "expire_us": to_us(binding.expire_time),
                "release_us": None,
                "provider": provider,
                "provider_binding_id": binding.provider_binding_id or None,
                "counted": True,
            },
        )

    def get(self, tenant: str, binding_id: str) -> Binding | None:
        row = self._s.execute(self._q.get, {"tenant": tenant, "binding_id": binding_id}).first()
        return None if row is None else rows.binding(row)

    def active_for_pair(self, tenant: str, lead_id: str, agent_id: str, now: datetime) -> list[Binding]:
        params = {"tenant": tenant, "lead_id": lead_id, "agent_id": agent_id, "now_us": to_us(now)}
        return [rows.binding(row) for row in self._s.execute(self._q.active_for_pair, params)]

    def set_provider_id(self, tenant: str, binding_id: str, provider_binding_id: str) -> bool:
        params = {"tenant": tenant, "binding_id": binding_id, "provider_binding_id": provider_binding_id}
        return rowcount(self._s.execute(self._q.set_provider_id, params)) == 1

    def release(self, tenant: str, binding_id: str, now: datetime) -> bool:
        self._s.execute(self._q.release, {"tenant": tenant, "binding_id": binding_id, "now_us": to_us(now)})
        return self._uncount(tenant, binding_id)

    def expire(self, tenant: str, binding_id: str) -> bool:
        return self._uncount(tenant, binding_id)

    def _uncount(self, tenant: str, binding_id: str) -> bool:
        return rowcount(self._s.execute(self._q.uncount, {"tenant": tenant, "binding_id": binding_id})) == 1

    def delete(self, tenant: str, binding_id: str) -> None:
        self._s.execute(self._q.delete, {"tenant": tenant, "binding_id": binding_id})

    def active_of_number(self, tenant: str, number_id: str, now: datetime) -> list[Binding]:
        params = {"tenant": tenant, "number_id": number_id, "now_us": to_us(now)}
        return [rows.binding(row) for row in self._s.execute(self._q.active_of_number, params)]

    def by_provider(self, provider: str, provider_binding_id: str) -> tuple[str, Binding] | None:
        params = {"provider": provider, "provider_binding_id": provider_binding_id}
        row = self._s.execute(self._q.by_provider, params).first()
        return None if row is None else (row.tenant_id, rows.binding(row))

    def active_of_lead(self, tenant: str, lead_id: str, now: datetime) -> list[Binding]:
        params = {"tenant": tenant, "lead_id": lead_id, "now_us": to_us(now)}
        return [rows.binding(row) for row in self._s.execute(self._q.active_of_lead, params)]

    def mark_unbind(self, tenant: str, binding_id: str) -> None:
        self._s.execute(self._q.mark_unbind, {"tenant": tenant, "binding_id": binding_id})

    def pending_unbinds(self, limit: int) -> list[PendingUnbind]:
        return [PendingUnbind(*row) for row in self._s.execute(self._q.pending_unbinds, {"limit": limit})]

    def unbound(self, tenant: str, binding_id: str) -> None:
        self._s.execute(self._q.unbound, {"tenant": tenant, "binding_id": binding_id})
