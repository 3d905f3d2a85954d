"""Appeal use cases: AppealCase (the advertiser, on a NOT_REFUNDABLE or EXPIRED case), ListAppeals, DecideAppeal
(an administrator). Both writes are idempotent on request_id.

An approved appeal pays through ``decisions.pay`` with the key ``appeal:<appeal_id>`` and reason APPEAL_APPROVED, in
the same transaction as the decision, so it pays once: a second approval replays, and the case's one refund holds.
A denied appeal publishes ``refund.rejected`` with reason APPEAL_DENIED.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.common.auth import Principal
from services.common.clock import Clock
from services.common.errors import NotFound, ViolationCollector
from services.common.ids import new_id
from services.common.paging import Page, PageTokens, filter_binding, next_page, read_cursor, resolve_page_size
from services.common.timeconv import from_us, to_us
from services.common.uow import Transactions, TransientConflict
from services.common.validation import check_account_id, check_identifier
from services.refund.domain.appeals import (
    Appeal,
    AppealDecision,
    AppealState,
    check_appeal_request,
    check_decision_request,
    decide_appeal,
    open_appeal,
    with_refund,
)
from services.refund.domain.cases import RejectionReason
from services.refund.domain.events import RefundRejected
from services.refund.domain.idempotency import IdempotencyRecord, fingerprint, replay
from services.refund.domain.ports import AppealFilter, RefundUnitOfWork
from services.refund.domain.refunds import Refund, appeal_request
from services.refund.domain.views import ListQuery
from services.refund.handlers.cases import MAX_ID_LENGTH
from services.refund.handlers.decisions import RulesBook, load_case, pay

APPEAL_CASE = "AppealCase"
DECIDE_APPEAL = "DecideAppeal"


@dataclass(frozen=True)
class DecidedAppeal:
    """The decided appeal and, when approved, the refund that paid it; ``fresh`` is False when the request replayed
    an earlier decision."""

    appeal: Appeal
    refund: Refund | None
    fresh: bool = False


def appeal_not_found(appeal_id: str) -> NotFound:
    return NotFound(
        f"appeal {appeal_id} not found", reason="APPEAL_NOT_FOUND", metadata={"appeal_id": appeal_id}
    )


class AppealHandlers:
    def __init__(
        self, transactions: Transactions[RefundUnitOfWork], clock: Clock, tokens: PageTokens
    ) -> None:
        self._tx = transactions
        self._clock = clock
        self._tokens = tokens

    async def appeal_case(self, principal: Principal, case_id: str, reason: str, request_id: str) -> Appeal:
        """Open a PENDING appeal. Raises InvalidArgument (case_id, reason, request_id), NotFound, RequestIdReused,
        CaseNotAppealable (the case is not NOT_REFUNDABLE or EXPIRED), AppealPending."""
        errors = ViolationCollector()
        check_identifier(errors, "case_id", case_id, MAX_ID_LENGTH, required=True)
        check_appeal_request(reason, request_id, errors)
        tenant = principal.tenant_id
        content = fingerprint(APPEAL_CASE, {"case_id": case_id, "reason": reason})

        def work(uow: RefundUnitOfWork) -> Appeal:
            first = replay(uow.requests.get(tenant, APPEAL_CASE, request_id), content)
            if first is not None:
                return uow.appeals.get(tenant, first) or _missing(first)
            now = self._clock.now()
            lead, stored = load_case(uow, tenant, case_id)
            evaluation = lead.evaluate(stored.case, RulesBook(uow, tenant).of(stored.case.account_id), now)
            appeal = open_appeal(
                stored.case,
                evaluation.state,
                reason=reason,
                requested_by=principal.subject,
                request_id=request_id,
                appeal_id=new_id(int(now.timestamp() * 1000)),
                now=now,
                appeals_of_case=uow.appeals.of_case(tenant, case_id),
            )
            if not uow.appeals.insert(tenant, appeal):
                raise TransientConflict()  # a concurrent appeal of the case won; run again to refuse this one
            if not uow.requests.insert(
                tenant, IdempotencyRecord(APPEAL_CASE, request_id, content, appeal.appeal_id), now
            ):
                raise TransientConflict()
            return appeal

        return await self._tx.write(work)

    async def decide_appeal(
        self,
        principal: Principal,
        appeal_id: str,
        decision: AppealDecision | None,
        note: str,
        request_id: str,
    ) -> DecidedAppeal:
        """APPROVE (pays the case once) or DENY a PENDING appeal. Raises InvalidArgument (appeal_id, decision,
        note, request_id), NotFound, RequestIdReused, AppealAlreadyDecided, and the payment's refusals."""
        errors = ViolationCollector()
        check_identifier(errors, "appeal_id", appeal_id, MAX_ID_LENGTH, required=True)
        if decision is None:
            errors.add("decision", "is required: APPEAL_DECISION_APPROVE or APPEAL_DECISION_DENY")
        check_decision_request(note, request_id, errors)
        assert decision is not None
        tenant = principal.tenant_id
        content = fingerprint(
            DECIDE_APPEAL, {"appeal_id": appeal_id, "decision": decision.value, "note": note}
        )

        def work(uow: RefundUnitOfWork) -> DecidedAppeal:
            first = replay(uow.requests.get(tenant, DECIDE_APPEAL, request_id), content)
            if first is not None:
                return _with_refund(uow, tenant, uow.appeals.get(tenant, first) or _missing(first))
            appeal = uow.appeals.get(tenant, appeal_id)
            if appeal is None:
                raise appeal_not_found(appeal_id)
            now = self._clock.now()
            decided = decide_appeal(appeal, decision, note=note, decided_by=principal.subject, now=now)
            if decided is appeal:
                return _with_refund(uow, tenant, appeal)  # decided the same way before: a retry
            lead, stored = load_case(uow, tenant, appeal.case_id)
            evaluation = lead.evaluate(stored.case, RulesBook(uow, tenant).of(stored.case.account_id), now)
            refund = None
            if decided.state is AppealState.APPROVED:
                refund = pay(uow, lead, stored, evaluation, appeal_request(decided), now, appeal=decided)
                decided = with_refund(decided, refund.refund_id)
            else:
                uow.events.add(
                    RefundRejected(
                        stored.case,
                        evaluation.state,
                        RejectionReason.APPEAL_DENIED,
                        evaluation.summary,
                        now,
                        appeal_id=appeal.appeal_id,
                    )
                )
            if not uow.appeals.update(tenant, decided, AppealState.PENDING):
                raise TransientConflict()
            if not uow.requests.insert(
                tenant, IdempotencyRecord(DECIDE_APPEAL, request_id, content, appeal_id), now
            ):
                raise TransientConflict()
            return DecidedAppeal(decided, refund, fresh=True)

        return await self._tx.write(work)

    async def list_appeals(self, principal: Principal, query: ListQuery[AppealFilter]) -> Page[Appeal]:
        """Appeals newest first (created time, then id), filtered."""
        where = query.where
        errors = ViolationCollector()
        check_account_id(errors, "account_id", where.account_id, required=False)
        errors.raise_if_any()
        size = resolve_page_size(query.page_size)
        tenant = principal.tenant_id
        binding = filter_binding(tenant, "appeals", where)
        cursor = read_cursor(self._tokens.decode(query.page_token, binding=binding), ("t", int), ("id", str))
        after = (from_us(cursor[0]), cursor[1]) if cursor is not None else None
        rows = await self._tx.read(lambda uow: uow.appeals.list(tenant, where, after, size + 1))
        return next_page(
            rows,
            size,
            self._tokens,
            binding,
            lambda last: {"t": to_us(last.created_at), "id": last.appeal_id},
        )


def _with_refund(uow: RefundUnitOfWork, tenant: str, appeal: Appeal) -> DecidedAppeal:
    refund = uow.refunds.get(tenant, appeal.refund_id) if appeal.refund_id else None
    return DecidedAppeal(appeal, refund)


def _missing(appeal_id: str) -> Appeal:
    # The key's record and its appeal are written in one transaction; a record without its appeal is a bug.
    raise AssertionError(f"idempotency record points at missing appeal {appeal_id}")
