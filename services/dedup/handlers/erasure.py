"""Erasure use cases: ForgetLead removes every key pointing at a lead (PIPL erasure, retention), so a later
submission with the same values is NEW. Stored claim answers keep only lead ids and times, never a value.

Ingest calls ForgetLead right after it erases a lead; ``on_lead_erased`` does the same when dedup consumes
``lead.erased``, which ingest records in the erasure's own transaction. So the keys go even when ingest stopped
between its commit and its call, or dedup was down then; and keys that a claim racing the erasure recorded for the
lead after ingest's call go too."""

from __future__ import annotations

import hashlib

from services.common.auth import Principal
from services.common.clock import Clock
from services.common.errors import ViolationCollector
from services.common.uow import Transactions
from services.common.validation import check_identifier
from services.dedup.domain.claims import (
    MAX_LEAD_ID_LENGTH,
    MAX_REQUEST_ID_LENGTH,
    LeadNotFound,
    RequestIdReused,
)
from services.dedup.domain.ports import DedupUnitOfWork

FORGET = "forget"


class ErasureHandlers:
    def __init__(self, transactions: Transactions[DedupUnitOfWork], clock: Clock) -> None:
        self._tx = transactions
        self._clock = clock

    async def forget(self, principal: Principal, lead_id: str, request_id: str) -> int:
        """The number of keys removed. With a request id, a retry answers the first count."""
        errors = ViolationCollector()
        check_identifier(errors, "lead_id", lead_id, MAX_LEAD_ID_LENGTH, required=True)
        check_identifier(errors, "request_id", request_id, MAX_REQUEST_ID_LENGTH)
        errors.raise_if_any()
        tenant = principal.tenant_id
        digest = hashlib.sha256(b"forget\x00" + lead_id.encode()).digest()

        def forget(uow: DedupUnitOfWork) -> int:
            if request_id:
                existing = uow.requests.reserve(tenant, FORGET, request_id, None, digest, self._clock.now())
                if existing is not None:
                    if existing.kind != FORGET or existing.digest != digest or existing.response is None:
                        raise RequestIdReused("request_id")
                    return int(existing.response["removed_count"])
            removed = uow.keys.delete_of_lead(tenant, lead_id)
            if removed == 0 and not uow.requests.lead_known(tenant, lead_id):
                raise LeadNotFound(lead_id)
            if request_id:
                uow.requests.save_response(tenant, request_id, {"removed_count": removed})
            return removed

        return await self._tx.write(forget)

    def on_lead_erased(self, uow: DedupUnitOfWork, tenant: str, lead_id: str) -> int:
        """``lead.erased``, in the consumer's inbox transaction: the number of keys removed (0 when ingest's call
        removed them already, or dedup never saw the lead)."""
        return uow.keys.delete_of_lead(tenant, lead_id)
