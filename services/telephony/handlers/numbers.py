"""Pool use cases: AddNumbers, ListNumbers, RetireNumber, and the end of a number's rest (a timer).

* AddNumbers validates every number (E.164, a carrier this deployment has, limits), derives a missing region from
  the number (``services.common.phoneregion``), and stores each number unless the tenant has it already (unique on
  the phone number, answered unchanged). Idempotent on request_id: a replay answers the same numbers; another
  request under a used id is FAILED_PRECONDITION REQUEST_ID_REUSED.
* ListNumbers shows each number's status as of now (a rest whose end passed is over), why it is not ACTIVE, its
  load, and its answer rate over the tenant's quarantine window.
* RetireNumber releases the number's active bindings at their carriers first (outside any transaction), then
  retires it and its bindings in one transaction. Retiring a retired number answers it unchanged.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

import phonenumbers

from services.common.auth import Principal
from services.common.clock import Clock
from services.common.errors import FailedPrecondition, Unavailable, ViolationCollector
from services.common.ids import new_id
from services.common.paging import Page, PageTokens, filter_binding, next_page, read_cursor, resolve_page_size
from services.common.phoneregion import region_of
from services.common.timers import Timer
from services.common.uow import Transactions
from services.telephony.domain.commands import NewNumber
from services.telephony.domain.errors import RequestIdReused, not_found
from services.telephony.domain.numbers import MaskedNumber, NumberStatus
from services.telephony.domain.ports import (
    Carrier,
    CarrierError,
    NumberFilter,
    NumberView,
    TelephonyUnitOfWork,
    pool_day,
)
from services.telephony.domain.quarantine import answer_rate
from services.telephony.domain.tenant_settings import MAX_LIMIT
from services.telephony.handlers.access import MAX_REQUEST_ID, check_id, require_id
from services.telephony.handlers.calls import BINDING_EXPIRY
from services.telephony.handlers.completion import REST_END

log = logging.getLogger("leadflow.telephony")

MAX_NUMBERS_PER_ADD = 1000
MAX_REGION = 64
MAX_REASON = 256
DEFAULT_NUMBER_PAGE = 100
ADD_NUMBERS = "add_numbers"


def e164(text: str) -> str | None:
    """The number in E.164 form, or None when it is not a possible phone number with a country code."""
    if not text.startswith("+"):
        return None
    try:
        parsed = phonenumbers.parse(text)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class NumberHandlers:
    def __init__(
        self,
        transactions: Transactions[TelephonyUnitOfWork],
        clock: Clock,
        carriers: Mapping[str, Carrier],
        default_provider: str,
        page_tokens: PageTokens,
    ) -> None:
        self._tx = transactions
        self._clock = clock
        self._carriers = carriers
        self._default_provider = default_provider
        self._tokens = page_tokens

    async def add_numbers(
        self, principal: Principal, numbers: Sequence[NewNumber], request_id: str
    ) -> list[NumberView]:
        """The stored numbers in the order of the request (a number the pool had already is answered as is)."""
        candidates = self._validated(numbers, request_id)
        content = sorted(
            repr(
                (c.phone_number, c.province, c.city, c.provider, c.max_concurrent_bindings, c.max_daily_calls)
            )
            for c in candidates
        )
        digest = hashlib.sha256(repr(content).encode()).digest()
        tenant = principal.tenant_id
        now = self._clock.now()

        def add(uow: TelephonyUnitOfWork) -> list[NumberView]:
            first = uow.requests.reserve(tenant, ADD_NUMBERS, request_id, digest, now)
            if first is not None and first != digest:
                raise RequestIdReused(request_id)
            day = pool_day(now, uow.settings.get(tenant).default_time_zone)
            stored = [uow.numbers.add(tenant, candidate, now) for candidate in candidates]
            views = [uow.numbers.view(tenant, number.number_id, day) for number in stored]
            return [view for view in views if view is not None]

        return await self._tx.write(add)

    def _validated(self, numbers: Sequence[NewNumber], request_id: str) -> list[MaskedNumber]:
        errors = ViolationCollector()
        check_id(errors, "request_id", request_id)
        if len(request_id) > MAX_REQUEST_ID:
            errors.add("request_id", f"must be at most {MAX_REQUEST_ID} characters")
        if not 1 <= len(numbers) <= MAX_NUMBERS_PER_ADD:
            errors.add("numbers", f"must hold 1 to {MAX_NUMBERS_PER_ADD} numbers, got {len(numbers)}")
        candidates = []
        for index, item in enumerate(numbers):
            where = f"numbers[{index}]"
            phone = e164(item.phone_number)
            if phone is None:
                errors.add(
                    f"{where}.phone_number", "must be a phone number in E.164 form, such as +8617012345678"
                )
            provider = item.provider or self._default_provider
            if provider not in self._carriers:
                errors.add(f"{where}.carrier", f"must be one of {', '.join(sorted(self._carriers))}")
            for name in ("max_concurrent_bindings", "max_daily_calls"):
                if not 0 <= getattr(item, name) <= MAX_LIMIT:
                    errors.add(f"{where}.{name}", f"must be between 0 and {MAX_LIMIT}")
            for name in ("province", "city"):
                if len(getattr(item, name)) > MAX_REGION:
                    errors.add(f"{where}.region.{name}", f"must be at most {MAX_REGION} characters")
            if item.city and not item.province:
                errors.add(f"{where}.region.province", "is required when the city is given")
            if phone is None:
                continue
            province, city = item.province, item.city
            if not province:
                province, city = region_of(phone) or ("", "")
            candidates.append(
                MaskedNumber(
                    number_id=new_id(),
                    phone_number=phone,
                    province=province,
                    city=city,
                    provider=provider,
                    max_concurrent_bindings=item.max_concurrent_bindings,
                    max_daily_calls=item.max_daily_calls,
                )
            )
        errors.raise_if_any()
        return candidates

    async def list_numbers(
        self, principal: Principal, where: NumberFilter, page_size: int, page_token: str
    ) -> Page[NumberView]:
        errors = ViolationCollector()
        if where.status not in NumberStatus.__members__.values():
            errors.add("status", f"unknown number status {int(where.status)}")
        for name in ("province", "city", "provider"):
            if len(getattr(where, name)) > MAX_REGION:
                errors.add(
                    "carrier" if name == "provider" else name, f"must be at most {MAX_REGION} characters"
                )
        errors.raise_if_any()
        size = resolve_page_size(page_size, default=DEFAULT_NUMBER_PAGE)
        tenant = principal.tenant_id
        binding = filter_binding(
            tenant, "numbers", int(where.status), where.province, where.city, where.provider
        )
        cursor = read_cursor(self._tokens.decode(page_token, binding=binding), ("p", str))
        now = self._clock.now()

        def page(uow: TelephonyUnitOfWork) -> list[NumberView]:
            settings = uow.settings.get(tenant)
            day = pool_day(now, settings.default_time_zone)
            rows = uow.numbers.page(tenant, where, cursor[0] if cursor else None, size + 1, day)
            window = settings.quarantine.window_calls
            return [self._as_of(uow, tenant, view, now, window) for view in rows]

        views = await self._tx.read(page)
        return next_page(views, size, self._tokens, binding, lambda last: {"p": last.number.phone_number})

    @staticmethod
    def _as_of(
        uow: TelephonyUnitOfWork, tenant: str, view: NumberView, now: datetime, window: int
    ) -> NumberView:
        number = view.number
        if number.status_at(now) is not number.status:
            number = replace(number, status=NumberStatus.ACTIVE, status_reason="", cooling_end_time=None)
        since = number.status_change_time if number.status is NumberStatus.ACTIVE else None
        rate, counted = answer_rate(uow.calls.number_outcomes(tenant, number.number_id, since, window))
        return replace(view, number=number, recent_answer_rate=rate, recent_call_count=counted)

    async def retire_number(self, principal: Principal, number_id: str, reason: str) -> NumberView:
        errors = ViolationCollector()
        check_id(errors, "number_id", number_id)
        if len(reason) > MAX_REASON:
            errors.add("reason", f"must be at most {MAX_REASON} characters")
        errors.raise_if_any()
        tenant = principal.tenant_id
        now = self._clock.now()

        def bindings(uow: TelephonyUnitOfWork) -> tuple[MaskedNumber, list[str]]:
            number = uow.numbers.get(tenant, number_id)
            if number is None:
                raise not_found("number", number_id)
            active = uow.bindings.active_of_number(tenant, number_id, now)
            return number, [b.provider_binding_id for b in active if b.provider_binding_id]

        number, provider_ids = await self._tx.read(bindings)
        if number.status is not NumberStatus.RETIRED:
            await self._unbind_all(number, provider_ids)

        def retire(uow: TelephonyUnitOfWork) -> NumberView:
            current = uow.numbers.get(tenant, number_id)
            if current is None:
                raise not_found("number", number_id)
            if current.status is not NumberStatus.RETIRED:
                for binding in uow.bindings.active_of_number(tenant, number_id, now):
                    if uow.bindings.release(tenant, binding.binding_id, now):
                        uow.numbers.give_back(tenant, number_id)
                    uow.timers.cancel(BINDING_EXPIRY, f"{tenant}/{binding.binding_id}")
                uow.numbers.save_status(tenant, current.retire(reason or "retired", now), now)
                uow.timers.cancel(REST_END, f"{tenant}/{number_id}")
            view = uow.numbers.view(
                tenant, number_id, pool_day(now, uow.settings.get(tenant).default_time_zone)
            )
            assert view is not None
            return view

        return await self._tx.write(retire)

    async def _unbind_all(self, number: MaskedNumber, provider_ids: list[str]) -> None:
        carrier = self._carriers.get(number.provider)
        if carrier is None:
            return
        for provider_id in provider_ids:
            try:
                await carrier.unbind(provider_id, number.phone_number)
            except CarrierError as error:
                if error.retryable:
                    raise Unavailable(
                        f"carrier {error.provider} is unavailable ({error.code}); retry",
                        reason="CARRIER_UNAVAILABLE",
                    ) from None
                raise FailedPrecondition(
                    f"carrier {error.provider} refused to release a binding: {error.code}",
                    reason="CARRIER_REFUSED",
                    metadata={"provider": error.provider, "code": error.code},
                ) from None

    def end_rest(self, uow: TelephonyUnitOfWork, timer: Timer) -> None:
        """Timer REST_END: a COOLING or QUARANTINED number whose rest ended becomes ACTIVE again (its health is
        then judged on calls from now on)."""
        number_id = timer.payload.get("number_id", "")
        number = uow.numbers.get(timer.tenant_id, number_id)
        if number is None or number.status not in (NumberStatus.COOLING, NumberStatus.QUARANTINED):
            return
        now = self._clock.now()
        if number.status_at(now) is not NumberStatus.ACTIVE:
            return
        revived = replace(
            number,
            status=NumberStatus.ACTIVE,
            status_reason="",
            cooling_end_time=None,
            status_change_time=now,
        )
        uow.numbers.save_status(timer.tenant_id, revived, now)


def require_number_id(number_id: str) -> None:
    require_id("number_id", number_id)
