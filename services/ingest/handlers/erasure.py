"""Erasing a lead's personal data (EraseLead; the PIPL right to deletion, ARCHITECTURE flow 6).

1. One write transaction empties what ``domain.erasure`` says of the lead, its submissions, the REJECTED submissions
   with its numbers, its push deliveries and its dead-number entries, marks the lead erased, and records
   ``lead.erased`` in the outbox: the erasure and the promise to tell every other service commit together.
2. After the commit, dedup is asked to forget the lead's keys (``DedupPort.forget``), so that a new submission of
   the same person is NEW at once. If dedup does not answer, the call still succeeds (``keys_forgotten`` False):
   dedup consumes ``lead.erased`` as well and forgets the keys then, so a crash of ingest right after the commit, or
   dedup being down, loses nothing. Dedup's consumer also catches keys that a claim racing the erasure wrote after
   this call.

Erasing an erased lead writes nothing and records no event; it asks dedup to forget again (harmless, and it covers
keys a racing claim may have added). Submissions that dedup matched to the lead before it forgot the keys and that are
stored after the erasure are erased as they are stored (``handlers.submit``), so the erasure covers them too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from services.common.auth import Principal
from services.common.clock import Clock
from services.common.errors import DomainError
from services.common.uow import Transactions
from services.ingest.domain import validation
from services.ingest.domain.erasure import numbers_of
from services.ingest.domain.events import LeadErased
from services.ingest.domain.model import Lead
from services.ingest.domain.ports import DedupPort, IngestUnitOfWork
from services.ingest.handlers.leads import LeadNotFound

log = logging.getLogger("leadflow.ingest.erasure")


@dataclass(frozen=True)
class ErasureResult:
    """``lead`` as stored after the erasure; ``erased_now``: this call erased it (False: it was erased before);
    ``keys_forgotten``: dedup confirmed during the call that it holds no key of the lead."""

    lead: Lead
    erased_now: bool
    keys_forgotten: bool


class ErasureHandlers:
    def __init__(self, transactions: Transactions[IngestUnitOfWork], dedup: DedupPort, clock: Clock) -> None:
        self._tx = transactions
        self._dedup = dedup
        self._clock = clock

    async def erase(self, principal: Principal, lead_id: str) -> ErasureResult:
        """Raises InvalidArgument (lead_id), LeadNotFound (none, or another tenant's)."""
        validation.check_lead_id(lead_id)
        tenant = principal.tenant_id

        def erase(uow: IngestUnitOfWork) -> tuple[Lead, bool]:
            lead = uow.leads.get(tenant, lead_id)
            if lead is None:
                raise LeadNotFound(lead_id)
            if lead.erase_time is not None:
                return lead, False
            now = self._clock.now()
            numbers = numbers_of(lead.contact)
            if not uow.leads.erase(tenant, lead_id, now, principal.subject):
                erased_first = uow.leads.get(tenant, lead_id)  # a concurrent erasure committed first
                assert erased_first is not None
                return erased_first, False
            uow.submissions.erase(tenant, lead_id, numbers)
            uow.push.erase_of_lead(tenant, lead_id, now)
            uow.rules.forget_dead_numbers(tenant, lead_id, numbers)
            uow.events.add(LeadErased(tenant, lead_id, lead.account_ids, now))
            erased = uow.leads.get(tenant, lead_id)
            assert erased is not None
            return erased, True

        lead, erased_now = await self._tx.write(erase)
        return ErasureResult(lead, erased_now, await self._forget(tenant, lead_id))

    async def _forget(self, tenant: str, lead_id: str) -> bool:
        try:
            await self._dedup.forget(tenant, lead_id)
        except DomainError as error:
            # dedup forgets the keys when it consumes lead.erased; the erasure itself is committed.
            log.warning(
                "dedup did not forget an erased lead's keys now; lead.erased will have it do so",
                extra={"lead_id": lead_id, "reason": error.reason},
            )
            return False
        return True
