"""Get and update a tenant's telephony settings (callable hours, default time zone, binding TTL, pool limits,
quarantine rule). Updating validates every masked field and names each bad one; nothing changes on an error. A change
of the callable hours or of the default time zone is announced (``telephony.callable_hours_changed``, in the same
transaction) for refund, which judges leads not yet called by them."""

from __future__ import annotations

from services.common.auth import Principal
from services.common.clock import Clock
from services.common.ids import new_id
from services.common.uow import Transactions
from services.telephony.domain.ports import CallableHoursChanged, TelephonyUnitOfWork
from services.telephony.domain.tenant_settings import SettingsPatch, TenantSettings, apply_patch


class SettingsHandlers:
    def __init__(self, transactions: Transactions[TelephonyUnitOfWork], clock: Clock) -> None:
        self._tx = transactions
        self._clock = clock

    async def get(self, principal: Principal) -> TenantSettings:
        return await self._tx.read(lambda uow: uow.settings.get(principal.tenant_id))

    async def update(self, principal: Principal, patch: SettingsPatch) -> TenantSettings:
        now = self._clock.now()
        apply_patch(TenantSettings(), patch, now)  # validate before opening a write transaction

        def update(uow: TelephonyUnitOfWork) -> TenantSettings:
            before = uow.settings.get(principal.tenant_id)
            updated = apply_patch(before, patch, now)
            uow.settings.put(principal.tenant_id, updated)
            if (updated.callable_hours, updated.default_time_zone) != (
                before.callable_hours,
                before.default_time_zone,
            ):
                uow.events.add(
                    CallableHoursChanged(
                        principal.tenant_id, updated.callable_hours, updated.default_time_zone, now, new_id()
                    )
                )
            return updated

        return await self._tx.write(update)
