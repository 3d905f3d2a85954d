"""Idempotency of creating RPCs (AIP-155): a request id is bound to the request's content and to what it made.

The digest is HMAC-SHA256 under the service's request key over the kind, the caller and the command's canonical
text (``repr`` of its frozen dataclass of plain values), so a stored digest reveals nothing of the personal data
(an agent's phone) in it. A request id reused with different content answers FAILED_PRECONDITION
(REQUEST_ID_REUSED); a retry answers what the first call made, read again by its id.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from services.assign.domain.checks import MAX_ID_LENGTH, check_identifier
from services.assign.domain.ports import AssignUnitOfWork
from services.common.auth import Principal
from services.common.errors import FailedPrecondition, ViolationCollector
from services.common.uow import TransientConflict


class RequestIdReused(FailedPrecondition):
    reason = "REQUEST_ID_REUSED"

    def __init__(self) -> None:
        super().__init__(
            "request_id was already used for a different request; use a new request_id for a new request",
            metadata={"field": "request_id"},
        )


def check_request_id(errors: ViolationCollector, request_id: str, *, required: bool = True) -> None:
    check_identifier(errors, "request_id", request_id, required=required, max_length=MAX_ID_LENGTH)


class RequestLog:
    """Digests and reservations of request ids, under the service's request key."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def digest(self, kind: str, principal: Principal, command: object) -> bytes:
        text = f"{kind}\x00{principal.subject}\x00{principal.role.value}\x00{command!r}"
        return hmac.new(self._key, text.encode(), hashlib.sha256).digest()

    def replayed(
        self, uow: AssignUnitOfWork, tenant: str, kind: str, request_id: str, digest: bytes, now: datetime
    ) -> str | None:
        """The id of what the first call with ``request_id`` made, or None when this call is the first (the id is
        then reserved in this transaction; ``complete`` records the result)."""
        if not request_id:
            return None
        existing = uow.requests.reserve(tenant, kind, request_id, digest, now)
        if existing is None:
            return None
        if existing.kind != kind or existing.digest != digest:
            raise RequestIdReused()
        if not existing.result_id:
            raise TransientConflict()  # reserved and completed in one transaction: cannot be seen half done
        return existing.result_id

    @staticmethod
    def complete(uow: AssignUnitOfWork, tenant: str, request_id: str, result_id: str) -> None:
        if request_id:
            uow.requests.complete(tenant, request_id, result_id)
