"""lead.erased in refund (the PIPL right to deletion), inside the consumer's inbox transaction.

Refund holds no phone number, name or other contact of a lead: leads, calls and accounts appear by id only, and the
evidence is codes, outcomes and times. What people write about a case can still name the person, so the free texts of
the lead's refunds (the note of a RequestRefund, the evidence summary) and appeals (the reason, the decision note)
are redacted (``services.common.erasure.redact``: numbers of 7+ digits, e-mail and IP addresses). Everything the
ledger, the statements and the audits need stays: cases, charges, refunds, ledger entries, reasons as codes, states
and times. Cases go on being evaluated (a refund due to the advertiser is still paid after the erasure).
"""

from __future__ import annotations

from services.refund.domain.ports import RefundUnitOfWork


class ErasureHandlers:
    def on_lead_erased(self, uow: RefundUnitOfWork, tenant: str, lead_id: str) -> int:
        """How many refunds and appeals had a text redacted (0 for a redelivery)."""
        return uow.refunds.redact_texts(tenant, lead_id) + uow.appeals.redact_texts(tenant, lead_id)
