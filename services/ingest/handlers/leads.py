"""Reading leads: GetLead, ListLeads (with the total count) and ListLeadSubmissions (one lead's submissions, or the
tenant's of an account and/or a verdict, for instance the REJECTED ones kept for audit)."""

from __future__ import annotations

from services.common.auth import Principal
from services.common.errors import NotFound, ViolationCollector
from services.common.paging import Page, PageTokens, filter_binding, next_page, read_cursor, resolve_page_size
from services.common.timeconv import to_us
from services.common.uow import Transactions
from services.ingest.domain import validation
from services.ingest.domain.model import (
    BusinessSource,
    Channel,
    Lead,
    LeadStatus,
    Submission,
    TrafficSource,
    Verdict,
)
from services.ingest.domain.ports import IngestUnitOfWork, LeadFilter, SubmissionFilter

LIST_LEADS_DEFAULT = 50


class LeadNotFound(NotFound):
    reason = "LEAD_NOT_FOUND"

    def __init__(self, lead_id: str) -> None:
        super().__init__(f"lead {lead_id} does not exist", metadata={"lead_id": lead_id})


class LeadHandlers:
    def __init__(self, transactions: Transactions[IngestUnitOfWork], page_tokens: PageTokens) -> None:
        self._tx = transactions
        self._tokens = page_tokens

    async def get_lead(self, principal: Principal, lead_id: str) -> Lead:
        validation.check_lead_id(lead_id)
        lead = await self._tx.read(lambda uow: uow.leads.get(principal.tenant_id, lead_id))
        if lead is None:
            raise LeadNotFound(lead_id)
        return lead

    async def list_leads(
        self, principal: Principal, where: LeadFilter, page_size: int, page_token: str
    ) -> Page[Lead]:
        """Leads matching the filters, by first_submit_time descending then id descending; with the total count."""
        errors = ViolationCollector()
        if where.account_id:
            validation.check_identifier(errors, "account_id", where.account_id, validation.MAX_ACCOUNT_ID)
        for path, value, enum in (
            ("channel", where.channel, Channel),
            ("traffic_source", where.traffic_source, TrafficSource),
            ("business_source", where.business_source, BusinessSource),
            ("status", where.status, LeadStatus),
        ):
            if value:
                try:
                    enum(value)
                except ValueError:
                    errors.add(path, f"must be a known value, got {value}")
        if where.verdict:
            if where.verdict == Verdict.REJECTED:
                errors.add("verdict", "rejected submissions create no lead: use NEW, RETURNING or DUPLICATE")
            elif where.verdict not in (Verdict.NEW, Verdict.RETURNING, Verdict.DUPLICATE):
                errors.add("verdict", f"must be a known value, got {where.verdict}")
        if where.submit_start and where.submit_end and where.submit_end <= where.submit_start:
            errors.add("submit_end_time", "must be after submit_start_time")
        errors.raise_if_any()
        size = resolve_page_size(page_size, default=LIST_LEADS_DEFAULT)
        binding = filter_binding(
            principal.tenant_id,
            "leads",
            where.account_id,
            where.channel,
            where.traffic_source,
            where.business_source,
            where.verdict,
            where.status,
            where.submit_start.isoformat() if where.submit_start else "",
            where.submit_end.isoformat() if where.submit_end else "",
            where.has_phone,
        )
        after = read_cursor(self._tokens.decode(page_token, binding=binding), ("t", int), ("id", str))
        tenant = principal.tenant_id

        def read(uow: IngestUnitOfWork) -> tuple[list[Lead], int]:
            return uow.leads.list(tenant, where, after, size + 1), uow.leads.count(tenant, where)  # type: ignore[arg-type]

        found, total = await self._tx.read(read)
        return next_page(
            found,
            size,
            self._tokens,
            binding,
            lambda last: {"t": to_us(last.first_submit_time), "id": last.id},
            total_size=total,
        )

    async def list_submissions(
        self, principal: Principal, where: SubmissionFilter, page_size: int, page_token: str
    ) -> Page[Submission]:
        """Submissions by submit_time ascending then id ascending."""
        errors = ViolationCollector()
        if where.lead_id:
            validation.check_lead_id(where.lead_id)
        if where.account_id:
            validation.check_identifier(errors, "account_id", where.account_id, validation.MAX_ACCOUNT_ID)
        if where.verdict:
            try:
                Verdict(where.verdict)
            except ValueError:
                errors.add("verdict", f"must be a known value, got {where.verdict}")
        if not (where.lead_id or where.account_id or where.verdict):
            errors.add("lead_id", "is required unless account_id or verdict is set")
        if where.submit_start and where.submit_end and where.submit_end <= where.submit_start:
            errors.add("submit_end_time", "must be after submit_start_time")
        errors.raise_if_any()
        size = resolve_page_size(page_size, default=LIST_LEADS_DEFAULT)
        binding = filter_binding(
            principal.tenant_id,
            "submissions",
            where.lead_id,
            where.account_id,
            where.verdict,
            where.submit_start.isoformat() if where.submit_start else "",
            where.submit_end.isoformat() if where.submit_end else "",
        )
        after = read_cursor(self._tokens.decode(page_token, binding=binding), ("t", int), ("id", str))
        tenant = principal.tenant_id

        def read(uow: IngestUnitOfWork) -> list[Submission]:
            if where.lead_id and uow.leads.get(tenant, where.lead_id) is None:
                raise LeadNotFound(where.lead_id)
            return uow.submissions.list(tenant, where, after, size + 1)  # type: ignore[arg-type]

        found = await self._tx.read(read)
        return next_page(
            found, size, self._tokens, binding, lambda last: {"t": to_us(last.submit_time), "id": last.id}
        )
