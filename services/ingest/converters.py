"""Protobuf <-> domain conversions for the ingest service: the gRPC servicer, the events it produces and consumes,
and the dedup client. Mechanical only: no rule lives here.

Timestamps are truncated from nanoseconds to microseconds, the precision the domain stores.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from google.protobuf import timestamp_pb2

from leadflow.common.v1 import errors_pb2, money_pb2, region_pb2
from leadflow.dedup.v1 import dedup_service_pb2 as dedup_pb
from leadflow.ingest.v1 import events_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.common.errors import DomainError, FieldViolation, InvalidArgument
from services.common.grpc_errors import status_code_for
from services.ingest.domain.model import (
    BlocklistEntry,
    BlocklistKind,
    Consent,
    DedupAction,
    Dimension,
    Lead,
    Match,
    Money,
    Submission,
    SubmitCommand,
    SubmitResult,
    TenantSettings,
    Verdict,
)
from services.ingest.domain.normalisation import Rejection, RejectionCode
from services.ingest.domain.ports import ClaimAnswer, ClaimRequest, LeadFilter, SubmissionFilter
from services.ingest.domain.timeutil import from_us, to_us

# ------------------------------------------------------------------ primitives


def to_datetime(value: timestamp_pb2.Timestamp) -> datetime:
    return from_us(value.seconds * 1_000_000 + value.nanos // 1000)


def timestamp(value: datetime) -> timestamp_pb2.Timestamp:
    micros = to_us(value)
    return timestamp_pb2.Timestamp(seconds=micros // 1_000_000, nanos=(micros % 1_000_000) * 1000)


def _optional_time(message, name: str, path: str | None = None) -> datetime | None:  # type: ignore[no-untyped-def]
    """The field's time, None when unset; INVALID_ARGUMENT naming ``path`` when it lies outside 0001..9999."""
    if not message.HasField(name):
        return None
    try:
        return to_datetime(getattr(message, name))
    except (OverflowError, ValueError):
        raise InvalidArgument(FieldViolation(path or name, "is not a valid timestamp")) from None


def money_message(money: Money | None) -> money_pb2.Money | None:
    if money is None:
        return None
    return money_pb2.Money(currency_code=money.currency_code, units=money.units, nanos=money.nanos)


_PROTO_REJECTION = {
    code: pb.RejectionCode.Value("REJECTION_CODE_" + code.value)
    for code in RejectionCode
    if code is not RejectionCode.CONTACT_EMPTY
}
_PROTO_REJECTION[RejectionCode.CONTACT_EMPTY] = pb.REJECTION_CODE_CONTACT_MISSING


def rejection_code(code: RejectionCode) -> int:
    return _PROTO_REJECTION[code]


def rejection_message(rejection: Rejection) -> pb.RejectionReason:
    return pb.RejectionReason(
        code=rejection_code(rejection.code),
        field=rejection.field,
        message=rejection.message,
        rule=rejection.rule,
    )


def item_error(error: DomainError) -> errors_pb2.ItemError:
    violations = error.violations if isinstance(error, InvalidArgument) else []
    return errors_pb2.ItemError(
        code=status_code_for(error).name,
        reason=error.reason,
        message=error.message,
        field_violations=[
            errors_pb2.FieldViolation(field=v.field, description=v.description) for v in violations
        ],
    )


# ------------------------------------------------------------------ requests


def submit_command(request: pb.SubmitLeadRequest) -> SubmitCommand:
    """Raises InvalidArgument for a timestamp outside the representable range."""
    cost = None
    if request.HasField("cost"):
        cost = Money(request.cost.currency_code, request.cost.units, request.cost.nanos)
    consent = None
    if request.HasField("consent"):
        c = request.consent
        consent = Consent(
            c.contact, c.marketing, c.notice_version, _optional_time(c, "grant_time", "consent.grant_time")
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
        cost=cost,
        submit_time=_optional_time(request, "submit_time"),
        attributes=dict(request.attributes),
        consent=consent,
    )


def lead_filter(request: pb.ListLeadsRequest) -> LeadFilter:
    return LeadFilter(
        account_id=request.account_id,
        channel=int(request.channel),
        traffic_source=int(request.traffic_source),
        business_source=int(request.business_source),
        verdict=int(request.verdict),
        status=int(request.status),
        submit_start=_optional_time(request, "submit_start_time"),
        submit_end=_optional_time(request, "submit_end_time"),
        has_phone=request.has_phone if request.HasField("has_phone") else None,
    )


def submission_filter(request: pb.ListLeadSubmissionsRequest) -> SubmissionFilter:
    return SubmissionFilter(
        lead_id=request.lead_id,
        account_id=request.account_id,
        verdict=int(request.verdict),
        submit_start=_optional_time(request, "submit_start_time"),
        submit_end=_optional_time(request, "submit_end_time"),
    )


def blocklist_entries(request: pb.SetBlocklistRequest) -> list[BlocklistEntry]:
    return [BlocklistEntry(kind=int(e.kind), value=e.value, note=e.note) for e in request.entries]  # type: ignore[arg-type]


# ------------------------------------------------------------------ responses


def lead_message(lead: Lead) -> pb.Lead:
    c = lead.contact
    message = pb.Lead(
        id=lead.id,
        account_ids=list(lead.account_ids),
        status=int(lead.status),
        verdict=int(lead.verdict),
        phone=c.phone,
        phone_from_wechat=c.phone_from_wechat,
        wechat=c.wechat,
        email=c.email,
        ip=c.ip,
        device_id=c.device_id,
        name=c.name,
        invalid_reason=lead.invalid_reason,
        first_submit_time=timestamp(lead.first_submit_time),
        last_submit_time=timestamp(lead.last_submit_time),
        submission_count=lead.submission_count,
        create_time=timestamp(lead.create_time),
        update_time=timestamp(lead.update_time),
        returning_of_lead_id=lead.returning_of_lead_id,
    )
    if c.phone_province:
        message.phone_region.CopyFrom(region_pb2.Region(province=c.phone_province, city=c.phone_city))
    return message


def _match_messages(matches: Sequence[Match]) -> list[pb.Match]:
    return [
        pb.Match(dimension=int(m.dimension), lead_id=m.lead_id, first_seen_time=timestamp(m.first_seen_time))
        for m in matches
    ]


def submission_message(submission: Submission) -> pb.Submission:
    message = pb.Submission(
        id=submission.id,
        lead_id=submission.lead_id,
        account_id=submission.account_id,
        channel=int(submission.channel),
        traffic_source=int(submission.traffic_source),
        business_source=int(submission.business_source),
        external_id=submission.external_id,
        campaign_id=submission.campaign_id,
        adgroup_id=submission.adgroup_id,
        creative_id=submission.creative_id,
        cost=money_message(submission.cost),
        attributes=dict(submission.attributes),
        verdict=int(submission.verdict),
        rejection_reasons=[rejection_message(r) for r in submission.rejections],
        matched_dimensions=sorted({int(m.dimension) for m in submission.matches}),
        consent=pb.Consent(
            contact=submission.consent.contact,
            marketing=submission.consent.marketing,
            notice_version=submission.consent.notice_version,
            grant_time=timestamp(submission.consent.grant_time) if submission.consent.grant_time else None,
        ),
        submit_time=timestamp(submission.submit_time),
        create_time=timestamp(submission.create_time),
    )
    if submission.collect_account_id is not None:
        message.collect_account_id = submission.collect_account_id
    return message


def submit_response(result: SubmitResult) -> pb.SubmitLeadResponse:
    return pb.SubmitLeadResponse(
        lead=lead_message(result.lead) if result.lead is not None else None,
        verdict=int(result.verdict),
        duplicate_of_lead_id=result.duplicate_of_lead_id,
        matches=_match_messages(result.matches),
        rejection_reasons=[rejection_message(r) for r in result.rejections],
        submission=submission_message(result.submission),
        returning_of_lead_id=result.returning_of_lead_id,
    )


def submit_command_or_error(request: pb.SubmitLeadRequest) -> SubmitCommand | DomainError:
    """For batches and streams, where one unreadable item must not fail the others."""
    try:
        return submit_command(request)
    except InvalidArgument as error:
        return error


def submit_result(index: int, outcome: SubmitResult | DomainError) -> pb.SubmitLeadResult:
    if isinstance(outcome, DomainError):
        return pb.SubmitLeadResult(index=index, error=item_error(outcome))
    return pb.SubmitLeadResult(index=index, response=submit_response(outcome))


def settings_message(settings: TenantSettings, update_time: datetime | None) -> pb.IngestSettings:
    message = pb.IngestSettings(
        default_region=settings.default_region, landline_allowed=settings.landline_allowed
    )
    if update_time is not None:
        message.update_time.CopyFrom(timestamp(update_time))
    return message


def settings_update(request: pb.UpdateIngestSettingsRequest) -> tuple[TenantSettings, list[str]]:
    settings = TenantSettings(
        default_region=request.settings.default_region, landline_allowed=request.settings.landline_allowed
    )
    return settings, list(request.update_mask.paths)


def blocklist_entry_message(entry: BlocklistEntry) -> pb.BlocklistEntry:
    return pb.BlocklistEntry(
        kind=int(entry.kind),
        value=entry.value,
        note=entry.note,
        create_time=timestamp(entry.create_time) if entry.create_time else None,
    )


# ------------------------------------------------------------------ events produced


def accepted_event(
    event_id: str, lead: Lead, submission: Submission, now: datetime
) -> events_pb2.LeadAccepted:
    event = events_pb2.LeadAccepted(
        event_id=event_id,
        tenant_id=lead.tenant_id,
        occurred_time=timestamp(now),
        lead_id=lead.id,
        submission_id=submission.id,
        account_id=submission.account_id,
        account_ids=list(lead.account_ids),
        verdict=int(lead.verdict),
        returning_of_lead_id=lead.returning_of_lead_id,
        channel=int(submission.channel),
        traffic_source=int(submission.traffic_source),
        business_source=int(submission.business_source),
        campaign_id=submission.campaign_id,
        adgroup_id=submission.adgroup_id,
        creative_id=submission.creative_id,
        cost=money_message(submission.cost),
        submit_time=timestamp(submission.submit_time),
        phone=lead.contact.phone,
        phone_from_wechat=lead.contact.phone_from_wechat,
    )
    if submission.collect_account_id is not None and submission.collect_account_id != submission.account_id:
        event.collect_account_id = submission.collect_account_id
    if lead.contact.phone_province:
        event.phone_region.CopyFrom(
            region_pb2.Region(province=lead.contact.phone_province, city=lead.contact.phone_city)
        )
    return event


def duplicate_event(
    event_id: str, lead_id: str, submission: Submission, now: datetime
) -> events_pb2.LeadDuplicate:
    return events_pb2.LeadDuplicate(
        event_id=event_id,
        tenant_id=submission.tenant_id,
        occurred_time=timestamp(now),
        lead_id=lead_id,
        submission_id=submission.id,
        account_id=submission.account_id,
        matched_dimensions=sorted({int(m.dimension) for m in submission.matches}),
        cost=money_message(submission.cost),
        submit_time=timestamp(submission.submit_time),
        channel=int(submission.channel),
    )


def rejected_event(event_id: str, submission: Submission, now: datetime) -> events_pb2.LeadRejected:
    return events_pb2.LeadRejected(
        event_id=event_id,
        tenant_id=submission.tenant_id,
        occurred_time=timestamp(now),
        submission_id=submission.id,
        account_id=submission.account_id,
        reasons=[rejection_code(r.code) for r in submission.rejections],
        submit_time=timestamp(submission.submit_time),
        channel=int(submission.channel),
    )


# ------------------------------------------------------------------ dedup


def claim_message(request: ClaimRequest) -> dedup_pb.ClaimLeadRequest:
    message = dedup_pb.ClaimLeadRequest(
        account_id=request.account_id,
        candidate_lead_id=request.candidate_lead_id,
        fingerprints=[dedup_pb.Fingerprint(dimension=int(d), keyed_hash=h) for d, h in request.fingerprints],
        submit_time=timestamp(request.submit_time),
        request_id=request.request_id,
    )
    if request.collect_account_id:
        message.collect_account_id = request.collect_account_id
    return message


def claim_answer(response: dedup_pb.ClaimLeadResponse) -> ClaimAnswer:
    return ClaimAnswer(
        verdict=Verdict(response.verdict),
        canonical_lead_id=response.canonical_lead_id,
        matches=tuple(
            Match(Dimension(m.dimension), m.lead_id, to_datetime(m.first_seen_time)) for m in response.matches
        ),
        action=DedupAction(response.action),
    )


__all__ = ["BlocklistKind"]
