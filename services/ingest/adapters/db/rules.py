"""Per-tenant rules: settings (with the default row), blocklists and the dead-number list.

The blocklist version on the tenant's settings row moves with every replacement; screening caches compare it, so
every replica applies a change on its next submission.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Connection

from services.common.db import dialect_insert, rowcount
from services.common.iterutil import IN_CHUNK, chunks
from services.common.statements import PerDialect
from services.common.timeconv import from_us, to_us
from services.ingest.adapters.db.tables import (
    DEFAULT_SETTINGS_TENANT,
    blocklist_entries,
    dead_numbers,
    tenant_settings,
)
from services.ingest.domain.model import BlocklistEntry, BlocklistKind, TenantSettings
from services.ingest.domain.ports import RulesRepository

SETTINGS_COLUMNS = ("default_region", "landline_allowed", "phone_extension_allowed", "alternate_phones_kept")


class _Statements:
    """What every submission reads (screening), built once (``services.common.statements``)."""

    def __init__(self, _dialect: str) -> None:
        ts, b, d = tenant_settings.c, blocklist_entries.c, dead_numbers.c
        self.settings = sa.select(
            ts.tenant_id,
            ts.default_region,
            ts.landline_allowed,
            ts.phone_extension_allowed,
            ts.alternate_phones_kept,
            ts.blocklist_version,
        ).where(ts.tenant_id.in_([sa.bindparam("tenant"), sa.bindparam("default_tenant")]))
        self.keywords = (
            sa.select(b.value)
            .where(b.tenant_id == sa.bindparam("tenant"), b.kind == int(BlocklistKind.KEYWORD))
            .order_by(b.create_us, b.value)
        )
        self.blocked_phones = sa.select(b.value).where(
            b.tenant_id == sa.bindparam("tenant"), b.kind == int(BlocklistKind.PHONE)
        )
        self.dead_phones = sa.select(d.phone).where(
            d.tenant_id == sa.bindparam("tenant"), d.phone.in_(sa.bindparam("phones", expanding=True))
        )


_STATEMENTS = PerDialect(_Statements)


class SqlRules(RulesRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._insert = dialect_insert(session.dialect.name)
        self._q = _STATEMENTS.of(session)

    # ------------------------------------------------------------------ settings

    def settings(self, tenant: str) -> tuple[TenantSettings, int]:
        found = self._s.execute(
            self._q.settings, {"tenant": tenant, "default_tenant": DEFAULT_SETTINGS_TENANT}
        ).all()
        own = next((r for r in found if r.tenant_id == tenant), None)
        default = next((r for r in found if r.tenant_id == DEFAULT_SETTINGS_TENANT), None)
        source = own if own is not None else default
        settings = (
            TenantSettings(
                default_region=source.default_region,
                landline_allowed=bool(source.landline_allowed),
                phone_extension_allowed=bool(source.phone_extension_allowed),
                alternate_phones_kept=bool(source.alternate_phones_kept),
            )
            if source is not None
            else TenantSettings()
        )
        return settings, int(own.blocklist_version) if own is not None else 0

    def settings_update_time(self, tenant: str) -> datetime | None:
        ts = tenant_settings.c
        update_us = self._s.execute(
            sa.select(ts.update_us).where(ts.tenant_id == tenant)
        ).scalar_one_or_none()
        return None if update_us is None else from_us(update_us)

    def update_settings(
        self, tenant: str, settings: TenantSettings, fields: frozenset[str], now: datetime
    ) -> None:
        current, _ = self.settings(tenant)
        wanted = {name: getattr(settings if name in fields else current, name) for name in SETTINGS_COLUMNS}
        # Only the named columns are overwritten on conflict, so concurrent updates of different fields both hold.
        changed = {name: wanted[name] for name in sorted(fields)}
        self._s.execute(
            self._insert(tenant_settings)
            .values(tenant_id=tenant, blocklist_version=0, update_us=to_us(now), **wanted)
            .on_conflict_do_update(index_elements=["tenant_id"], set_={**changed, "update_us": to_us(now)})
        )

    # ------------------------------------------------------------------ blocklists

    def keywords(self, tenant: str) -> list[str]:
        return list(self._s.execute(self._q.keywords, {"tenant": tenant}).scalars())

    def blocked_phones(self, tenant: str) -> list[str]:
        return list(self._s.execute(self._q.blocked_phones, {"tenant": tenant}).scalars())

    def replace_blocklist(
        self, tenant: str, entries: Sequence[BlocklistEntry], now: datetime
    ) -> tuple[int, int]:
        b = blocklist_entries.c
        self._bump_blocklist_version(tenant, now)  # first: it also serialises concurrent replacements
        existing = {
            (int(row.kind), row.value): int(row.create_us)
            for row in self._s.execute(sa.select(b.kind, b.value, b.create_us).where(b.tenant_id == tenant))
        }
        self._s.execute(sa.delete(blocklist_entries).where(b.tenant_id == tenant))
        now_us = to_us(now)
        values = [
            {
                "tenant_id": tenant,
                "kind": int(e.kind),
                "value": e.value,
                "note": e.note,
                "create_us": existing.get((int(e.kind), e.value), now_us + i),
            }
            for i, e in enumerate(entries)
        ]
        for chunk in chunks(values, IN_CHUNK):
            self._s.execute(sa.insert(blocklist_entries), list(chunk))
        phones = sum(1 for e in entries if e.kind is BlocklistKind.PHONE)
        return phones, len(entries) - phones

    def _bump_blocklist_version(self, tenant: str, now: datetime) -> None:
        ts = tenant_settings.c
        updated = rowcount(
            self._s.execute(
                sa.update(tenant_settings)
                .where(ts.tenant_id == tenant)
                .values(blocklist_version=ts.blocklist_version + 1, update_us=to_us(now))
                .execution_options(preserve_rowcount=True)
            )
        )
        if updated:
            return
        default, _ = self.settings(tenant)
        self._s.execute(
            self._insert(tenant_settings)
            .values(
                tenant_id=tenant,
                default_region=default.default_region,
                landline_allowed=default.landline_allowed,
                phone_extension_allowed=default.phone_extension_allowed,
                alternate_phones_kept=default.alternate_phones_kept,
                blocklist_version=1,
                update_us=to_us(now),
            )
            .on_conflict_do_update(
                index_elements=["tenant_id"],
                set_={"blocklist_version": ts.blocklist_version + 1, "update_us": to_us(now)},
            )
        )

    def list_blocklist(
        self, tenant: str, kind: BlocklistKind | None, after: tuple[int, str] | None, limit: int
    ) -> list[BlocklistEntry]:
        b = blocklist_entries.c
        query = sa.select(blocklist_entries).where(b.tenant_id == tenant)
        if kind is not None:
            query = query.where(b.kind == int(kind))
        if after is not None:
            query = query.where(sa.or_(b.kind > after[0], sa.and_(b.kind == after[0], b.value > after[1])))
        found = self._s.execute(query.order_by(b.kind, b.value).limit(limit)).mappings()
        return [
            BlocklistEntry(BlocklistKind(row["kind"]), row["value"], row["note"], from_us(row["create_us"]))
            for row in found
        ]

    # ------------------------------------------------------------------ dead numbers

    def dead_phones(self, tenant: str, phones: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for chunk in chunks(sorted(set(phones)), IN_CHUNK):
            params = {"tenant": tenant, "phones": list(chunk)}
            found.update(self._s.execute(self._q.dead_phones, params).scalars())
        return found

    def add_dead_number(
        self, tenant: str, phone: str, reason: str, lead_id: str, call_id: str, now: datetime
    ) -> None:
        self._s.execute(
            self._insert(dead_numbers)
            .values(
                tenant_id=tenant,
                phone=phone,
                reason=reason,
                lead_id=lead_id,
                call_id=call_id,
                create_us=to_us(now),
            )
            .on_conflict_do_nothing(index_elements=["tenant_id", "phone"])
        )

    def forget_dead_numbers(self, tenant: str, lead_id: str, numbers: Sequence[str]) -> int:
        d = dead_numbers.c
        mine = d.lead_id == lead_id
        condition = sa.or_(mine, d.phone.in_(list(numbers))) if numbers else mine
        return rowcount(self._s.execute(sa.delete(dead_numbers).where(d.tenant_id == tenant, condition)))
