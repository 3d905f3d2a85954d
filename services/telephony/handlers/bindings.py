"""Binding use cases: ReleaseBinding, and the expiry of a binding (a timer at its expire time).

Releasing unbinds at the carrier first, outside any transaction (an unknown binding counts as released there), then
marks the binding released and gives its number the place back, once: ``BindingRepository.release`` says whether
the binding was still counted. Releasing a released or expired binding answers it unchanged. Expiry needs nothing
at the carrier (bindings are made with the same expiry there) and only gives the place back.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from services.common.auth import Principal
from services.common.clock import Clock
from services.common.errors import FailedPrecondition, Unavailable
from services.common.timers import Timer
from services.common.uow import Transactions
from services.telephony.domain.binding import Binding
from services.telephony.domain.errors import not_found
from services.telephony.domain.ports import Carrier, CarrierError, TelephonyUnitOfWork
from services.telephony.handlers.access import require_id, visible_agent
from services.telephony.handlers.calls import BINDING_EXPIRY

log = logging.getLogger("leadflow.telephony.bindings")


class BindingHandlers:
    def __init__(
        self, transactions: Transactions[TelephonyUnitOfWork], clock: Clock, carriers: Mapping[str, Carrier]
    ) -> None:
        self._tx = transactions
        self._clock = clock
        self._carriers = carriers

    async def release(self, principal: Principal, binding_id: str) -> tuple[Binding, str]:
        """The binding after release, with its masked number."""
        require_id("binding_id", binding_id)
        tenant = principal.tenant_id
        now = self._clock.now()

        def look(uow: TelephonyUnitOfWork) -> tuple[Binding, str, str]:
            binding = uow.bindings.get(tenant, binding_id)
            own = visible_agent(uow, principal)
            if binding is None or (own is not None and binding.agent_id != own):
                raise not_found("binding", binding_id)
            number = uow.numbers.get(tenant, binding.number_id)
            assert number is not None
            return binding, number.phone_number, number.provider

        binding, masked, provider = await self._tx.read(look)
        if not binding.is_active(now):
            return binding, masked
        carrier = self._carriers.get(provider)
        if carrier is not None and binding.provider_binding_id:
            try:
                await carrier.unbind(binding.provider_binding_id, masked)
            except CarrierError as error:
                if error.retryable:
                    raise Unavailable(
                        f"carrier {error.provider} is unavailable ({error.code}); retry",
                        reason="CARRIER_UNAVAILABLE",
                    ) from None
                raise FailedPrecondition(
                    f"carrier {error.provider} refused to release the binding: {error.code}",
                    reason="CARRIER_REFUSED",
                    metadata={"provider": error.provider, "code": error.code},
                ) from None

        def release(uow: TelephonyUnitOfWork) -> Binding:
            if uow.bindings.release(tenant, binding_id, now):
                uow.numbers.give_back(tenant, binding.number_id)
            uow.timers.cancel(BINDING_EXPIRY, f"{tenant}/{binding_id}")
            released = uow.bindings.get(tenant, binding_id)
            assert released is not None
            return released

        return await self._tx.write(release), masked

    async def unbind_pending(self, limit: int = 50) -> int:
        """Ask the carrier to unbind bindings released here that it may still hold (an erased lead's, see
        ``handlers.erasure``); how many are settled. A carrier that is unreachable keeps its bindings pending for
        the next round; one that refuses (or no longer knows the binding) settles them, and the refusal is logged:
        the carrier's binding lapses at its own expiry, which is the binding's, anyway."""
        pending = await self._tx.read(lambda uow: uow.bindings.pending_unbinds(limit))
        settled = []
        for item in pending:
            carrier = self._carriers.get(item.provider)
            if carrier is not None:
                try:
                    await carrier.unbind(item.provider_binding_id, item.masked_number)
                except CarrierError as error:
                    if error.retryable:
                        continue
                    log.warning(
                        "carrier refused to unbind a released binding",
                        extra={"provider": error.provider, "code": error.code, "binding_id": item.binding_id},
                    )
            settled.append(item)
        if settled:

            def done(uow: TelephonyUnitOfWork) -> None:
                for item in settled:
                    uow.bindings.unbound(item.tenant_id, item.binding_id)

            await self._tx.write(done)
        return len(settled)

    def expire(self, uow: TelephonyUnitOfWork, timer: Timer) -> None:
        """Timer BINDING_EXPIRY: the binding stops counting on its number."""
        binding_id = timer.key.split("/", 1)[1]
        binding = uow.bindings.get(timer.tenant_id, binding_id)
        if binding is not None and uow.bindings.expire(timer.tenant_id, binding_id):
            uow.numbers.give_back(timer.tenant_id, binding.number_id)
