"""Row mapping of leads and submissions (SQLAlchemy row mappings <-> domain values). Times are integer microseconds
since the epoch; a submission's rejections, matches and consent are JSON documents."""

from __future__ import annotations

from typing import Any

from services.common.timeconv import from_us, to_us
from services.ingest.domain.model import (
    BusinessSource,
    Channel,
    Consent,
    Contact,
    Dimension,
    Lead,
    LeadStatus,
    Match,
    Money,
    Submission,
    TrafficSource,
    Verdict,
)
from services.ingest.domain.normalisation import Rejection, RejectionCode


def contact_values(contact: Contact) -> dict[str, Any]:
    return {
        "name": contact.name,
        "phone": contact.phone,
        "phone_from_wechat": contact.phone_from_wechat,
        "wechat": contact.wechat,
        "email": contact.email,
        "ip": contact.ip,
        "device_id": contact.device_id,
        "phone_province": contact.phone_province,
        "phone_city": contact.phone_city,
        "phone_extension": contact.phone_extension,
        "alternate_phones": list(contact.alternate_phones),
    }


def contact(row: Any) -> Contact:
    return Contact(
        name=row["name"],
        phone=row["phone"],
        phone_from_wechat=bool(row["phone_from_wechat"]),
        wechat=row["wechat"],
        email=row["email"],
        ip=row["ip"],
        device_id=row["device_id"],
        phone_province=row["phone_province"],
        phone_city=row["phone_city"],
        phone_extension=row["phone_extension"],
        alternate_phones=tuple(row["alternate_phones"] or ()),
    )


def lead_values(lead: Lead) -> dict[str, Any]:
    return {
        "id": lead.id,
        "tenant_id": lead.tenant_id,
        "status": int(lead.status),
        "verdict": int(lead.verdict),
        "invalid_reason": lead.invalid_reason,
        **contact_values(lead.contact),
        "channel": int(lead.channel),
        "traffic_source": int(lead.traffic_source),
        "business_source": int(lead.business_source),
        "first_submit_us": to_us(lead.first_submit_time),
        "last_submit_us": to_us(lead.last_submit_time),
        "submission_count": lead.submission_count,
        "create_us": to_us(lead.create_time),
        "update_us": to_us(lead.update_time),
        "returning_of_lead_id": lead.returning_of_lead_id,
        "duplicate_of_lead_id": lead.duplicate_of_lead_id,
        "erase_us": to_us(lead.erase_time) if lead.erase_time is not None else None,
        "erased_by": lead.erased_by,
    }


def lead(row: Any, account_ids: tuple[str, ...]) -> Lead:
    return Lead(
        id=row["id"],
        tenant_id=row["tenant_id"],
        account_ids=account_ids,
        status=LeadStatus(row["status"]),
        verdict=Verdict(row["verdict"]),
        contact=contact(row),
        invalid_reason=row["invalid_reason"],
        channel=Channel(row["channel"]),
        traffic_source=TrafficSource(row["traffic_source"]),
        business_source=BusinessSource(row["business_source"]),
        first_submit_time=from_us(row["first_submit_us"]),
        last_submit_time=from_us(row["last_submit_us"]),
        submission_count=row["submission_count"],
        create_time=from_us(row["create_us"]),
        update_time=from_us(row["update_us"]),
        returning_of_lead_id=row["returning_of_lead_id"],
        duplicate_of_lead_id=row["duplicate_of_lead_id"],
        erase_time=from_us(row["erase_us"]) if row["erase_us"] is not None else None,
        erased_by=row["erased_by"],
    )


def erased_contact_values() -> dict[str, Any]:
    """The personal columns of an erased lead or submission (``domain.erasure``), as an UPDATE's values."""
    values = contact_values(Contact())
    del values["phone_from_wechat"]  # kept: where a number came from, not what it was
    return values


def submission_values(submission: Submission) -> dict[str, Any]:
    cost = submission.cost
    consent = submission.consent
    return {
        "id": submission.id,
        "tenant_id": submission.tenant_id,
        "lead_id": submission.lead_id,
        "account_id": submission.account_id,
        "collect_account_id": submission.collect_account_id,
        "channel": int(submission.channel),
        "traffic_source": int(submission.traffic_source),
        "business_source": int(submission.business_source),
        "external_id": submission.external_id,
        "request_id": submission.request_id,
        "request_digest": submission.request_digest,
        **contact_values(submission.contact),
        "campaign_id": submission.campaign_id,
        "adgroup_id": submission.adgroup_id,
        "creative_id": submission.creative_id,
        "cost_currency": cost.currency_code if cost else None,
        "cost_units": cost.units if cost else None,
        "cost_nanos": cost.nanos if cost else None,
        "attributes": dict(submission.attributes),
        "consent": {
            "contact": consent.contact,
            "marketing": consent.marketing,
            "notice_version": consent.notice_version,
            "grant_us": to_us(consent.grant_time) if consent.grant_time else None,
        },
        "verdict": int(submission.verdict),
        "rejections": [
            {"code": r.code.value, "field": r.field, "message": r.message, "rule": r.rule}
            for r in submission.rejections
        ],
        "matches": [
            {"dimension": int(m.dimension), "lead_id": m.lead_id, "first_seen_us": to_us(m.first_seen_time)}
            for m in submission.matches
        ],
        "duplicate_of_lead_id": submission.duplicate_of_lead_id,
        "returning_of_lead_id": submission.returning_of_lead_id,
        "submit_us": to_us(submission.submit_time),
        "create_us": to_us(submission.create_time),
    }


def submission(row: Any) -> Submission:
    cost = None
    if row["cost_currency"] is not None:
        cost = Money(row["cost_currency"], int(row["cost_units"]), int(row["cost_nanos"]))
    consent = row["consent"] or {}
    grant_us = consent.get("grant_us")
    return Submission(
        id=row["id"],
        tenant_id=row["tenant_id"],
        lead_id=row["lead_id"],
        account_id=row["account_id"],
        collect_account_id=row["collect_account_id"],
        channel=Channel(row["channel"]),
        traffic_source=TrafficSource(row["traffic_source"]),
        business_source=BusinessSource(row["business_source"]),
        external_id=row["external_id"],
        request_id=row["request_id"],
        request_digest=bytes(row["request_digest"]),
        contact=contact(row),
        campaign_id=row["campaign_id"],
        adgroup_id=row["adgroup_id"],
        creative_id=row["creative_id"],
        cost=cost,
        attributes=dict(row["attributes"] or {}),
        consent=Consent(
            bool(consent.get("contact", False)),
            bool(consent.get("marketing", False)),
            str(consent.get("notice_version", "")),
            from_us(int(grant_us)) if grant_us is not None else None,
        ),
        verdict=Verdict(row["verdict"]),
        rejections=tuple(
            Rejection(RejectionCode(r["code"]), r["field"], r["message"], r.get("rule", ""))
            for r in row["rejections"]
        ),
        matches=tuple(
            Match(Dimension(m["dimension"]), m["lead_id"], from_us(int(m["first_seen_us"])))
            for m in row["matches"]
        ),
        duplicate_of_lead_id=row["duplicate_of_lead_id"],
        returning_of_lead_id=row["returning_of_lead_id"],
        submit_time=from_us(row["submit_us"]),
        create_time=from_us(row["create_us"]),
    )
