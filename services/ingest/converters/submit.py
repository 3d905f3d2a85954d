"""Submitting: SubmitLead / BatchSubmitLeads / ImportLeads requests to commands, results to responses."""

from __future__ import annotations

from leadflow.common.v1 import lead_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.common.errors import DomainError, InvalidArgument
from services.common.protoconv import item_error, optional_time, to_enum
from services.ingest.converters.leads import lead_message, submission_message
from services.ingest.converters.values import match_messages, money, rejection_message
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
    return pb.SubmitLeadResponse(
        lead=lead_message(result.lead) if result.lead is not None else None,
        verdict=to_enum(lead_pb2.LeadVerdict, result.verdict),
        duplicate_of_lead_id=result.duplicate_of_lead_id,
        matches=match_messages(result.matches),
        rejection_reasons=[rejection_message(r) for r in result.rejections],
        submission=submission_message(result.submission),
        returning_of_lead_id=result.returning_of_lead_id,
    )


def submit_result(index: int, outcome: SubmitResult | DomainError) -> pb.SubmitLeadResult:
    if isinstance(outcome, DomainError):
        return pb.SubmitLeadResult(index=index, error=item_error(outcome))
    return pb.SubmitLeadResult(index=index, response=submit_response(outcome))


MAX_IMPORT_FAILURES = 1000


def count_import_outcome(
    summary: pb.ImportLeadsResponse, index: int, outcome: SubmitResult | DomainError
) -> None:
    """Add one item's outcome to an ImportLeads summary (the first ``MAX_IMPORT_FAILURES`` failures are listed)."""
    if isinstance(outcome, DomainError):
        summary.failed_count += 1
        if len(summary.failures) < MAX_IMPORT_FAILURES:
            summary.failures.append(pb.ImportFailure(index=index, error=item_error(outcome)))
        return
    if outcome.verdict is Verdict.NEW:
        summary.new_count += 1
    elif outcome.verdict is Verdict.DUPLICATE:
        summary.duplicate_count += 1
    elif outcome.verdict is Verdict.RETURNING:
        summary.returning_count += 1
    else:
        summary.rejected_count += 1
