"""The ledger (``refund_ledger_entries``): insert only. Statements and the balance check are aggregates computed by
the database (GROUP BY), so their cost does not grow with a Python loop over every entry."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Connection

from services.common.timeconv import to_us
from services.refund.adapters.db import rows
from services.refund.adapters.db.tables import refund_ledger_entries
from services.refund.domain.cases import RefundReason
from services.refund.domain.ledger import Direction, LedgerEntry, LedgerTransaction, advertiser_account
from services.refund.domain.ports import Cursor, LedgerFilter, LedgerRepository
from services.refund.domain.statement import LedgerMovement

t = refund_ledger_entries
# The ledger check's reads (handlers.ledger_check, every LEADFLOW_REFUND_LEDGER_CHECK_SECONDS): debits minus credits
# per currency of the entries posted in a range, built once (services.common.statements). An open side is the
# BigInteger's own bound, so one statement serves every range; a narrow range reads ix_refund_ledger_entries_posted.
_SIGNED = sa.case((t.c.direction == Direction.DEBIT.value, t.c.amount_fen), else_=-t.c.amount_fen)
_IMBALANCE = (
    sa.select(t.c.currency, sa.func.sum(_SIGNED))
    .where(t.c.posted_us >= sa.bindparam("lo"), t.c.posted_us < sa.bindparam("hi"))
    .group_by(t.c.currency)
)
_LOWEST_US, _HIGHEST_US = -(2**63), 2**63 - 1


class SqlLedger(LedgerRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session

    def append(self, tenant: str, transaction: LedgerTransaction) -> None:
        self._s.execute(sa.insert(t), [rows.entry_values(tenant, entry) for entry in transaction.entries])

    def entries(
        self, tenant: str, where: LedgerFilter, after: Cursor | None, limit: int
    ) -> list[LedgerEntry]:
        query = sa.select(t).where(t.c.tenant_id == tenant)
        if where.account_id:
            query = query.where(t.c.account_id == where.account_id)
        if where.refund_id:
            query = query.where(t.c.refund_id == where.refund_id)
        if where.post_start is not None:
            query = query.where(t.c.posted_us >= to_us(where.post_start))
        if where.post_end is not None:
            query = query.where(t.c.posted_us < to_us(where.post_end))
        if after is not None:
            posted, entry_id = to_us(after[0]), after[1]
            query = query.where(
                sa.or_(t.c.posted_us > posted, sa.and_(t.c.posted_us == posted, t.c.entry_id > entry_id))
            )
        query = query.order_by(t.c.posted_us, t.c.entry_id).limit(limit)
        return [rows.ledger_entry(row) for row in self._s.execute(query)]

    def movements(self, tenant: str, account_id: str, start: datetime, end: datetime) -> list[LedgerMovement]:
        query = (
            sa.select(t.c.reason, t.c.currency, t.c.direction, sa.func.count(), sa.func.sum(t.c.amount_fen))
            .where(
                t.c.tenant_id == tenant,
                t.c.account_id == account_id,
                t.c.ledger_account == advertiser_account(account_id),
                t.c.posted_us >= to_us(start),
                t.c.posted_us < to_us(end),
            )
            .group_by(t.c.reason, t.c.currency, t.c.direction)
        )
        return [
            LedgerMovement(RefundReason(reason), currency, Direction(direction), int(count), int(fen))
            for reason, currency, direction, count, fen in self._s.execute(query)
        ]

    def imbalance(
        self, *, posted_from: datetime | None = None, posted_before: datetime | None = None
    ) -> dict[str, int]:
        bounds = {
            "lo": _LOWEST_US if posted_from is None else to_us(posted_from),
            "hi": _HIGHEST_US if posted_before is None else to_us(posted_before),
        }
        return {currency: int(fen) for currency, fen in self._s.execute(_IMBALANCE, bounds)}
