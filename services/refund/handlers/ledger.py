"""Ledger use cases: ListLedgerEntries (oldest first) and GetStatement (an account's month, from the ledger); the
balance check behind ``leadflow_refund_ledger_imbalance_fen{currency}`` is ``ledger_check``.

The statement is assembled by the domain (``statement.assemble_statement``) from the store's per-reason sums of the
advertiser account's entries in the month, so it equals the ledger by construction; months run in the tenant's time
zone, Asia/Shanghai (leadflow keeps no other per-tenant zone yet).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from services.common.auth import Principal
from services.common.clock import Clock
from services.common.errors import ViolationCollector
from services.common.paging import Page, PageTokens, filter_binding, next_page, read_cursor, resolve_page_size
from services.common.timeconv import from_us, to_us
from services.common.uow import Transactions
from services.common.validation import check_account_id, check_identifier
from services.refund.domain.callable_hours import DEFAULT_TIME_ZONE
from services.refund.domain.ledger import LedgerEntry
from services.refund.domain.ports import LedgerFilter, RefundUnitOfWork
from services.refund.domain.statement import assemble_statement, month_range
from services.refund.domain.views import ListQuery, StatementView
from services.refund.handlers.cases import MAX_ID_LENGTH, check_time_range

LEDGER_PAGE_SIZE = 100
STATEMENT_ZONE = ZoneInfo(DEFAULT_TIME_ZONE)


class LedgerHandlers:
    def __init__(
        self, transactions: Transactions[RefundUnitOfWork], clock: Clock, tokens: PageTokens
    ) -> None:
        self._tx = transactions
        self._clock = clock
        self._tokens = tokens

    async def list_entries(self, principal: Principal, query: ListQuery[LedgerFilter]) -> Page[LedgerEntry]:
        where = query.where
        errors = ViolationCollector()
        check_account_id(errors, "account_id", where.account_id, required=False)
        check_identifier(errors, "refund_id", where.refund_id, MAX_ID_LENGTH)
        check_time_range(errors, where.post_start, where.post_end, "post_end_time")
        errors.raise_if_any()
        size = resolve_page_size(query.page_size, default=LEDGER_PAGE_SIZE)
        tenant = principal.tenant_id
        binding = filter_binding(tenant, "ledger", where)
        cursor = read_cursor(self._tokens.decode(query.page_token, binding=binding), ("t", int), ("id", str))
        after = (from_us(cursor[0]), cursor[1]) if cursor is not None else None
        rows = await self._tx.read(lambda uow: uow.ledger.entries(tenant, where, after, size + 1))
        return next_page(
            rows, size, self._tokens, binding, lambda last: {"t": to_us(last.posted_at), "id": last.entry_id}
        )

    async def get_statement(
        self, principal: Principal, account_id: str, year: int, month: int
    ) -> StatementView:
        """Raises InvalidArgument naming account_id, year or month."""
        errors = ViolationCollector()
        check_account_id(errors, "account_id", account_id)
        start, end = month_range(year, month, STATEMENT_ZONE, errors)
        tenant = principal.tenant_id
        generated_at = self._clock.now()
        found = await self._tx.read(lambda uow: uow.ledger.movements(tenant, account_id, start, end))
        return StatementView(assemble_statement(found, account_id, year, month), generated_at)
