"""What the read use cases answer and what List requests ask, as plain values shared by handlers and converters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from services.refund.domain.callable_hours import CallableWindow
from services.refund.domain.evaluation import Evaluation
from services.refund.domain.ports import StoredCase
from services.refund.domain.statement import Statement

F = TypeVar("F")


@dataclass(frozen=True)
class ListQuery(Generic[F]):
    """A List request: its filters (``ports.CaseFilter`` ...), page size (0 means the method's default) and the
    previous page's token."""

    where: F
    page_size: int = 0
    page_token: str = ""


@dataclass(frozen=True)
class CaseView:
    """A case with its evaluation at the time of the request and the callable window it was judged by."""

    stored: StoredCase
    evaluation: Evaluation
    window: CallableWindow


@dataclass(frozen=True)
class StatementView:
    """A statement and when it was computed from the ledger."""

    statement: Statement
    generated_at: datetime
