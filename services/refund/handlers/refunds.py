"""Refund use cases: RequestRefund (idempotent on request_id), GetRefund, ListRefunds.

RequestRefund pays through the same path as the settling timer (``decisions.pay``): the domain decides who may
refund what (``refunds.refund_reason_for``) and how much (``refunds.refund_amount``); the store's unique refund per
case makes a second refund of a charge impossible, whichever path tries it. Its key is recorded in the same
transaction as the refund, so the same key replays the first refund and the same key with other content fails
(REQUEST_ID_REUSED).
"""

from __future__ import annotations

from dataclasses import dataclass

from services.common.auth import Principal, Role
from services.common.clock import Clock
from services.common.errors import NotFound, ViolationCollector
from services.common.paging import Page, PageTokens, filter_binding, next_page, read_cursor, resolve_page_size
from services.common.timeconv import from_us, to_us
from services.common.uow import Transactions, TransientConflict
from services.common.validation import check_account_id, check_identifier
from services.refund.domain.idempotency import IdempotencyRecord, replay
from services.refund.domain.ports import RefundFilter, RefundUnitOfWork
from services.refund.domain.refunds import Refund, RefundRequest, check_request
from services.refund.domain.views import ListQuery
from services.refund.handlers.cases import MAX_ID_LENGTH, check_time_range
from services.refund.handlers.decisions import RulesBook, load_case, pay

REQUEST_REFUND = "RequestRefund"


@dataclass(frozen=True)
class RequestedRefund:
    """The refund a RequestRefund answers with; ``fresh`` is False when the request replayed an earlier one."""

    refund: Refund
    fresh: bool


def refund_not_found(refund_id: str) -> NotFound:
    return NotFound(
        f"refund {refund_id} not found", reason="REFUND_NOT_FOUND", metadata={"refund_id": refund_id}
    )


class RefundHandlers:
    def __init__(
        self, transactions: Transactions[RefundUnitOfWork], clock: Clock, tokens: PageTokens
    ) -> None:
        self._tx = transactions
        self._clock = clock
        self._tokens = tokens

    async def request_refund(self, principal: Principal, request: RefundRequest) -> RequestedRefund:
        """Refund a case now (see ``domain.refunds`` for who may refund what). Raises InvalidArgument (case_id,
        request_id, note, amount), NotFound, RequestIdReused, AlreadyRefunded, CaseNotRefundable,
        RefundsExceedCharges."""
        errors = ViolationCollector()
        check_identifier(errors, "case_id", request.case_id, MAX_ID_LENGTH, required=True)
        check_request(request, errors)
        tenant, by_admin = principal.tenant_id, principal.role is Role.ADMIN
        fingerprint = request.fingerprint()

        def work(uow: RefundUnitOfWork) -> RequestedRefund:
            first = replay(uow.requests.get(tenant, REQUEST_REFUND, request.request_id), fingerprint)
            if first is not None:
                return RequestedRefund(uow.refunds.get(tenant, first) or _missing(first), fresh=False)
            now = self._clock.now()
            lead, stored = load_case(uow, tenant, request.case_id)
            evaluation = lead.evaluate(stored.case, RulesBook(uow, tenant).of(stored.case.account_id), now)
            refund = pay(uow, lead, stored, evaluation, request, now, by_admin=by_admin)
            record = IdempotencyRecord(REQUEST_REFUND, request.request_id, fingerprint, refund.refund_id)
            if not uow.requests.insert(tenant, record, now):
                raise TransientConflict()  # a concurrent request with this key won; run again to replay it
            return RequestedRefund(refund, fresh=True)

        return await self._tx.write(work)

    async def get_refund(self, principal: Principal, refund_id: str) -> Refund:
        errors = ViolationCollector()
        check_identifier(errors, "refund_id", refund_id, MAX_ID_LENGTH, required=True)
        errors.raise_if_any()
        tenant = principal.tenant_id
        refund = await self._tx.read(lambda uow: uow.refunds.get(tenant, refund_id))
        if refund is None:
            raise refund_not_found(refund_id)
        return refund

    async def list_refunds(self, principal: Principal, query: ListQuery[RefundFilter]) -> Page[Refund]:
        """Refunds newest first (paid time, then id), filtered."""
        where = query.where
        errors = ViolationCollector()
        check_account_id(errors, "account_id", where.account_id, required=False)
        check_identifier(errors, "lead_id", where.lead_id, MAX_ID_LENGTH)
        check_time_range(errors, where.create_start, where.create_end, "create_end_time")
        errors.raise_if_any()
        size = resolve_page_size(query.page_size)
        tenant = principal.tenant_id
        binding = filter_binding(tenant, "refunds", where)
        cursor = read_cursor(self._tokens.decode(query.page_token, binding=binding), ("t", int), ("id", str))
        after = (from_us(cursor[0]), cursor[1]) if cursor is not None else None
        rows = await self._tx.read(lambda uow: uow.refunds.list(tenant, where, after, size + 1))
        return next_page(
            rows,
            size,
            self._tokens,
            binding,
            lambda last: {"t": to_us(last.created_at), "id": last.refund_id},
        )


def _missing(refund_id: str) -> Refund:
    # The key's record and its refund are written in one transaction; a record without its refund is a bug.
    raise AssertionError(f"idempotency record points at missing refund {refund_id}")
