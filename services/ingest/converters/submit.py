"""Submitting: SubmitLead / BatchSubmitLeads / ImportLeads requests to commands, results to responses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from leadflow.common.v1 import lead_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.common.errors import DomainError, InvalidArgument
from services.common.protoconv import item_error, optional_time, to_enum
from services.ingest.converters.leads import lead_fields, submission_fields
from services.ingest.converters.values import match_fields, money, rejection_fields, rejection_message
from services.ingest.domain.model import Consent, SubmitCommand, SubmitResult, Verdict


def submit_command(request: pb.SubmitLeadRequest) -> SubmitCommand:
    """Raises InvalidArgument for a timestamp outside the representable range."""
    consent = None
    if request.HasField("consent"):
        c = request.consent
        consent = Consent(
            c.contact, c.marketing, c.notice_version, optional_time(c, "grant_time", "consent.grant_time")
        )
    collect = request.collect_account_id if request.HasField("collect_account_id") else None
    return SubmitCommand(
        account_id=request.account_id,
        collect_account_id=collect or None,
        channel=int(request.channel),
        traffic_source=int(request.traffic_source),
        business_source=int(request.business_source),
        external_id=request.external_id,
        request_id=request.request_id,
        name=request.name,
        phone=request.phone,
        wechat=request.wechat,
        email=request.email,
        ip=request.ip,
        device_id=request.device_id,
        campaign_id=request.campaign_id,
        adgroup_id=request.adgroup_id,
        creative_id=request.creative_id,
        cost=money(request.cost) if request.HasField("cost") else None,
        submit_time=optional_time(request, "submit_time"),
        attributes=dict(request.attributes),
        consent=consent,
    )


def submit_command_or_error(request: pb.SubmitLeadRequest) -> SubmitCommand | DomainError:
    """For batches and streams, where one unreadable item must not fail the others."""
    try:
        return submit_command(request)
    except InvalidArgument as error:
        return error


def submit_response(result: SubmitResult) -> pb.SubmitLeadResponse:
    return pb.SubmitLeadResponse(**submit_response_fields(result))


def submit_response_fields(result: SubmitResult) -> dict[str, Any]:
    """A SubmitLeadResponse's fields as a dict: the answers are built from dicts, not messages, because upb copies
    each message handed to a constructor and a dict is read straight in (``protoconv.timestamp_fields``). Measured
    on one answer of a new lead: 31 -> 15 µs; a BatchSubmitLeads answer, 49 -> 20 µs per lead."""
    return {
        "lead": lead_fields(result.lead) if result.lead is not None else None,
        "verdict": to_enum(lead_pb2.LeadVerdict, result.verdict),
        "duplicate_of_lead_id": result.duplicate_of_lead_id,
        "matches": match_fields(result.matches),
        "rejection_reasons": [rejection_fields(r) for r in result.rejections],
        "submission": submission_fields(result.submission),
        "returning_of_lead_id": result.returning_of_lead_id,
    }


def submit_result_fields(index: int, outcome: SubmitResult | DomainError) -> dict[str, Any]:
    """A SubmitLeadResult's fields as a dict (see ``submit_response_fields``): the item's answer or its error."""
    if isinstance(outcome, DomainError):
        return {"index": index, "error": item_error(outcome)}
    return {"index": index, "response": submit_response_fields(outcome)}


def batch_submit_response(outcomes: Sequence[SubmitResult | DomainError]) -> pb.BatchSubmitLeadsResponse:
    """The BatchSubmitLeads answer: one result per request item, in order, built from dicts."""
    return pb.BatchSubmitLeadsResponse(
        results=[submit_result_fields(index, outcome) for index, outcome in enumerate(outcomes)]
    )


@dataclass
class ImportProgress:
    """The running counts of one ImportLeads stream; ``settle`` adds a stored chunk and answers its message:
    cumulative counts, and the failures and rejections of that chunk only (their indexes are stream positions)."""

    received: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def settle(self, first_index: int, outcomes: list[SubmitResult | DomainError]) -> pb.ImportLeadsResponse:
        failures, rejections = [], []
        for offset, outcome in enumerate(outcomes):
            index = first_index + offset
            if isinstance(outcome, DomainError):
                self._count("failed_count")
                failures.append(pb.ImportFailure(index=index, error=item_error(outcome)))
                continue
            if outcome.verdict is Verdict.REJECTED:
                # Listed even when replayed, so that every row to correct is named.
                reasons = [rejection_message(r) for r in outcome.rejections]
                rejections.append(pb.ImportRejection(index=index, reasons=reasons))
            self._count("replayed_count" if outcome.replayed else _VERDICT_COUNTS[outcome.verdict])
        message = self.message()
        message.failures.extend(failures)
        message.rejections.extend(rejections)
        return message

    def message(self) -> pb.ImportLeadsResponse:
        message = pb.ImportLeadsResponse(received_count=self.received)
        for name, value in self.counts.items():
            setattr(message, name, value)
        return message

    def _count(self, name: str) -> None:
        self.counts[name] = self.counts.get(name, 0) + 1


_VERDICT_COUNTS = {
    Verdict.NEW: "new_count",
    Verdict.DUPLICATE: "duplicate_count",
    Verdict.RETURNING: "returning_count",
    Verdict.REJECTED: "rejected_count",
}
