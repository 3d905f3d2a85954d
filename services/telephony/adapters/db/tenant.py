"""Per-tenant rows: the dead-number list, settings, and idempotency records of AddNumbers."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Connection

from services.common.db import dialect_insert
from services.common.timeconv import to_us
from services.common.uow import TransientConflict
from services.telephony.adapters.db import rows
from services.telephony.adapters.db.tables import dead_numbers, requests, tenant_settings
from services.telephony.domain.outcomes import CallOutcome
from services.telephony.domain.ports import (
    DeadEntry,
    DeadNumberRepository,
    RequestRepository,
    SettingsRepository,
)
from services.telephony.domain.tenant_settings import TenantSettings


class SqlDeadNumbers(DeadNumberRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._insert = dialect_insert(session.dialect.name)

    def add(self, tenant: str, phone: str, entry: DeadEntry, now: datetime) -> None:
        self._s.execute(
            self._insert(dead_numbers)
            .values(
                tenant_id=tenant,
                phone=phone,
                outcome=int(entry.outcome),
                call_id=entry.call_id,
                create_us=to_us(now),
            )
            .on_conflict_do_nothing()
        )

    def get(self, tenant: str, phone: str) -> DeadEntry | None:
        d = dead_numbers
        row = self._s.execute(sa.select(d).where(d.c.tenant_id == tenant, d.c.phone == phone)).first()
        return None if row is None else DeadEntry(CallOutcome(row.outcome), row.call_id)

    def forget(self, tenant: str, phone: str) -> None:
        d = dead_numbers
        self._s.execute(sa.delete(d).where(d.c.tenant_id == tenant, d.c.phone == phone))


class SqlSettings(SettingsRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._insert = dialect_insert(session.dialect.name)

    def get(self, tenant: str) -> TenantSettings:
        t = tenant_settings
        row = self._s.execute(sa.select(t).where(t.c.tenant_id == tenant)).first()
        return TenantSettings() if row is None else rows.settings(row.settings, row.update_us)

    def put(self, tenant: str, settings: TenantSettings) -> None:
        assert settings.update_time is not None
        values = {"settings": rows.settings_json(settings), "update_us": to_us(settings.update_time)}
        statement = self._insert(tenant_settings).values(tenant_id=tenant, **values)
        self._s.execute(
            statement.on_conflict_do_update(index_elements=[tenant_settings.c.tenant_id], set_=values)
        )


class SqlRequests(RequestRepository):
    """``INSERT ... ON CONFLICT DO NOTHING``: on PostgreSQL a conflicting insert waits for the owner's commit."""

    def __init__(self, session: Connection) -> None:
        self._s = session
        self._insert = dialect_insert(session.dialect.name)

    def reserve(self, tenant: str, kind: str, request_id: str, digest: bytes, now: datetime) -> bytes | None:
        r = requests
        inserted = self._s.execute(
            self._insert(r)
            .values(tenant_id=tenant, kind=kind, request_id=request_id, digest=digest, create_us=to_us(now))
            .on_conflict_do_nothing()
            .returning(r.c.request_id)
        ).first()
        if inserted is not None:
            return None
        row = self._s.execute(
            sa.select(r.c.digest).where(
                r.c.tenant_id == tenant, r.c.kind == kind, r.c.request_id == request_id
            )
        ).first()
        if row is None:
            raise TransientConflict()  # the owner rolled back: run again and own it
        return bytes(row.digest)
