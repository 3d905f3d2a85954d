"""Reading leads: list filters from requests, leads and submissions to messages."""

from __future__ import annotations

from typing import Any

from leadflow.common.v1 import lead_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.common.protoconv import optional_time, timestamp_fields, to_enum
from services.ingest.converters.values import (
    matched_dimensions,
    money_fields,
    region_fields,
    rejection_fields,
)
from services.ingest.domain.model import Lead, Submission
from services.ingest.domain.ports import LeadFilter, SubmissionFilter


def lead_filter(request: pb.ListLeadsRequest) -> LeadFilter:
    return LeadFilter(
        account_id=request.account_id,
        channel=int(request.channel),
        traffic_source=int(request.traffic_source),
        business_source=int(request.business_source),
        verdict=int(request.verdict),
        status=int(request.status),
        submit_start=optional_time(request, "submit_start_time"),
        submit_end=optional_time(request, "submit_end_time"),
        has_phone=request.has_phone if request.HasField("has_phone") else None,
    )


def submission_filter(request: pb.ListLeadSubmissionsRequest) -> SubmissionFilter:
    return SubmissionFilter(
        lead_id=request.lead_id,
        account_id=request.account_id,
        verdict=int(request.verdict),
        submit_start=optional_time(request, "submit_start_time"),
        submit_end=optional_time(request, "submit_end_time"),
    )


def lead_message(lead: Lead) -> pb.Lead:
    return pb.Lead(**lead_fields(lead))


def lead_fields(lead: Lead) -> dict[str, Any]:
    """A Lead message's fields as a dict, for answers built from dicts (``protoconv.timestamp_fields`` says why)."""
    c = lead.contact
    return {
        "id": lead.id,
        "account_ids": lead.account_ids,
        "status": to_enum(lead_pb2.LeadStatus, lead.status),
        "verdict": to_enum(lead_pb2.LeadVerdict, lead.verdict),
        "phone": c.phone,
        "phone_from_wechat": c.phone_from_wechat,
        "phone_region": region_fields(c),
        "wechat": c.wechat,
        "email": c.email,
        "ip": c.ip,
        "device_id": c.device_id,
        "name": c.name,
        "invalid_reason": lead.invalid_reason,
        "first_submit_time": timestamp_fields(lead.first_submit_time),
        "last_submit_time": timestamp_fields(lead.last_submit_time),
        "submission_count": lead.submission_count,
        "create_time": timestamp_fields(lead.create_time),
        "update_time": timestamp_fields(lead.update_time),
        "returning_of_lead_id": lead.returning_of_lead_id,
        "phone_extension": c.phone_extension,
        "alternate_phones": c.alternate_phones,
        "erase_time": timestamp_fields(lead.erase_time) if lead.erase_time is not None else None,
    }


def submission_message(submission: Submission) -> pb.Submission:
    return pb.Submission(**submission_fields(submission))


def submission_fields(submission: Submission) -> dict[str, Any]:
    """A Submission message's fields as a dict (see ``lead_fields``)."""
    consent = submission.consent
    fields = {
        "id": submission.id,
        "lead_id": submission.lead_id,
        "account_id": submission.account_id,
        "channel": to_enum(lead_pb2.Channel, submission.channel),
        "traffic_source": to_enum(lead_pb2.TrafficSource, submission.traffic_source),
        "business_source": to_enum(lead_pb2.BusinessSource, submission.business_source),
        "external_id": submission.external_id,
        "campaign_id": submission.campaign_id,
        "adgroup_id": submission.adgroup_id,
        "creative_id": submission.creative_id,
        "cost": money_fields(submission.cost),
        "attributes": submission.attributes,
        "verdict": to_enum(lead_pb2.LeadVerdict, submission.verdict),
        "rejection_reasons": [rejection_fields(r) for r in submission.rejections],
        "matched_dimensions": matched_dimensions(submission.matches),
        "consent": {
            "contact": consent.contact,
            "marketing": consent.marketing,
            "notice_version": consent.notice_version,
            "grant_time": timestamp_fields(consent.grant_time) if consent.grant_time else None,
        },
        "submit_time": timestamp_fields(submission.submit_time),
        "create_time": timestamp_fields(submission.create_time),
    }
    if submission.collect_account_id is not None:
        fields["collect_account_id"] = submission.collect_account_id
    return fields
