"""Case use cases: open a case per charge, take call reports, fire a case's timer (each inside the consumer's or the
timer's transaction, on its unit of work), and show where cases stand (GetEligibility, ListCases).

Every event or timer ends in ``decisions.refresh`` of the lead: the same set of events gives the same decision in any
order and any number of times, because the decision is a function of the stored set (a redelivered event is caught
by the consumer's inbox; a repeated report of a call, by the report's key; a second charge event for one
submission, by the case's key).
"""

from __future__ import annotations

from datetime import datetime

from services.common.auth import Principal
from services.common.clock import Clock
from services.common.errors import NotFound, ViolationCollector
from services.common.ids import new_id
from services.common.paging import Page, PageTokens, filter_binding, next_page, read_cursor, resolve_page_size
from services.common.timeconv import from_us, to_us
from services.common.timers import Timer
from services.common.uow import Transactions
from services.common.validation import check_account_id, check_identifier
from services.refund.domain.cases import CaseState, ChargeKind, Standing, open_case
from services.refund.domain.events import CallableHoursAnnounced, CallReported, ChargeReported
from services.refund.domain.ports import CaseFilter, RefundUnitOfWork, StoredCase
from services.refund.domain.views import CaseView, ListQuery
from services.refund.handlers.decisions import LeadFile, Refresh, RulesBook, refresh

MAX_ID_LENGTH = 128


def check_time_range(
    errors: ViolationCollector, start: datetime | None, end: datetime | None, end_field: str
) -> None:
    if start is not None and end is not None and end <= start:
        errors.add(end_field, "must be after the start of the range")


class CaseHandlers:
    def __init__(
        self, transactions: Transactions[RefundUnitOfWork], clock: Clock, tokens: PageTokens
    ) -> None:
        self._tx = transactions
        self._clock = clock
        self._tokens = tokens

    # ------------------------------------------------------------------ consumers and timers (sync, in their tx)

    def on_charge(self, uow: RefundUnitOfWork, event: ChargeReported) -> Refresh:
        """``lead.accepted`` / ``lead.duplicate``: open the case of a charge (nothing for a free submission), then
        evaluate the lead's cases (a duplicate charge changes its siblings' standing too). Raises InvalidArgument
        for a malformed event, which the consumer retries and then dead-letters."""
        charge = event.charge()
        if charge is None:
            return Refresh()
        now = self._clock.now()
        case = open_case(new_id(int(now.timestamp() * 1000)), event.tenant_id, charge, now)
        opened = uow.cases.insert(case, Standing(CaseState.PENDING), now)
        result = refresh(uow, event.tenant_id, charge.lead_id, now)
        result.opened += int(opened)
        return result

    def on_call(self, uow: RefundUnitOfWork, event: CallReported) -> Refresh:
        """``call.completed``: store the report (a repeat of a stored report changes nothing), then evaluate the
        lead's cases. Reports of a lead without cases are kept: its charge event may still be on its way."""
        if not uow.calls.add(event.tenant_id, event.call):
            return Refresh()
        return refresh(uow, event.tenant_id, event.call.lead_id, self._clock.now())

    def on_callable_hours(self, uow: RefundUnitOfWork, event: CallableHoursAnnounced) -> bool:
        """``telephony.callable_hours_changed``: keep the tenant's hours unless a later change is kept already (True
        when kept). Leads judged by them are evaluated with them from their next evaluation on (their case timers,
        a call, a read); a timer set under the old hours fires at its old time and is set again under the new."""
        return uow.callable_hours.put(event.tenant_id, event.window, event.change_time)

    def on_case_timer(self, uow: RefundUnitOfWork, timer: Timer) -> Refresh:
        """A case reached its next change time: evaluate its lead's cases, at no earlier than the timer's due time.

        The runtime claimed the timer because the clock had reached its due time; should the clock read earlier by
        the time the handler runs (a dev clock moved back, a replica's clock behind another's), evaluating then
        would change nothing and the fired timer would be gone with nothing set after it. At the due time the
        decision changes by construction, so the case is paid, closed, or given its next timer."""
        now = max(self._clock.now(), timer.due_time)
        return refresh(uow, timer.tenant_id, str(timer.payload["lead_id"]), now)

    # ------------------------------------------------------------------ reads

    async def get_eligibility(self, principal: Principal, lead_id: str, submission_id: str) -> CaseView:
        """The case of the lead's own charge (``submission_id`` empty) or of one charged submission, evaluated now.
        Raises InvalidArgument (lead_id, submission_id) or NotFound (no such case in the caller's tenant)."""
        errors = ViolationCollector()
        check_identifier(errors, "lead_id", lead_id, MAX_ID_LENGTH, required=True)
        check_identifier(errors, "submission_id", submission_id, MAX_ID_LENGTH)
        errors.raise_if_any()
        tenant, now = principal.tenant_id, self._clock.now()

        def read(uow: RefundUnitOfWork) -> CaseView:
            lead = LeadFile.load(uow, tenant, lead_id)
            stored = next(
                (
                    s
                    for s in lead.cases
                    if (
                        s.case.submission_id == submission_id
                        if submission_id
                        else s.case.charge.kind is ChargeKind.LEAD
                    )
                ),
                None,
            )
            if stored is None:
                what = f"submission {submission_id} of lead {lead_id}" if submission_id else f"lead {lead_id}"
                raise NotFound(
                    f"no refund case for {what}: it was not charged",
                    reason="CASE_NOT_FOUND",
                    metadata={"lead_id": lead_id},
                )
            rules = RulesBook(uow, tenant).of(stored.case.account_id)
            return CaseView(stored, lead.evaluate(stored.case, rules, now), lead.window)

        return await self._tx.read(read)

    async def list_cases(self, principal: Principal, query: ListQuery[CaseFilter]) -> Page[CaseView]:
        """Cases newest first (opened time, then id), filtered, each evaluated now. The state and reason filters
        match the standing stored at the case's latest evaluation, which its timer keeps current."""
        where = query.where
        errors = ViolationCollector()
        check_account_id(errors, "account_id", where.account_id, required=False)
        check_identifier(errors, "lead_id", where.lead_id, MAX_ID_LENGTH)
        check_time_range(errors, where.create_start, where.create_end, "create_end_time")
        errors.raise_if_any()
        size = resolve_page_size(query.page_size)
        tenant, now = principal.tenant_id, self._clock.now()
        binding = filter_binding(tenant, "cases", where)
        cursor = read_cursor(self._tokens.decode(query.page_token, binding=binding), ("t", int), ("id", str))
        after = (from_us(cursor[0]), cursor[1]) if cursor is not None else None

        def read(uow: RefundUnitOfWork) -> Page[CaseView]:
            rows = uow.cases.list(tenant, where, after, size + 1)
            page = next_page(
                rows,
                size,
                self._tokens,
                binding,
                lambda last: {"t": to_us(last.case.opened_at), "id": last.case.case_id},
                total_size=uow.cases.count(tenant, where),
            )
            return Page(evaluate_page(uow, tenant, page.items, now), page.next_page_token, page.total_size)

        return await self._tx.read(read)


def evaluate_page(
    uow: RefundUnitOfWork, tenant: str, rows: list[StoredCase], now: datetime
) -> list[CaseView]:
    """Each listed case evaluated at ``now``, with three reads for the whole page (cases and calls of its leads)."""
    lead_ids = sorted({row.case.lead_id for row in rows})
    siblings: dict[str, list[StoredCase]] = {lead_id: [] for lead_id in lead_ids}
    for stored in uow.cases.of_leads(tenant, lead_ids):
        siblings[stored.case.lead_id].append(stored)
    calls = uow.calls.of_leads(tenant, lead_ids)
    hours = uow.callable_hours.get(tenant)
    files = {
        lead_id: LeadFile.of(tenant, lead_id, siblings[lead_id], calls.get(lead_id, []), hours)
        for lead_id in lead_ids
    }
    book = RulesBook(uow, tenant)
    views = []
    for stored in rows:
        lead = files[stored.case.lead_id]
        evaluation = lead.evaluate(stored.case, book.of(stored.case.account_id), now)
        views.append(CaseView(stored, evaluation, lead.window))
    return views
