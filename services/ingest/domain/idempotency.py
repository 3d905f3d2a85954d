"""Idempotency of submissions (AIP-155) and the identifiers derived from it. Pure.

A submission is identified by its ``request_id`` and, when it carries one, by its source's
(``account_id``, ``channel``, ``external_id``). Either key found in the store answers with the stored first result
and creates nothing. A ``request_id`` reused with different content answers FAILED_PRECONDITION
(REQUEST_ID_REUSED), as the proto documents; the external-id key answers with the first result whatever the
content (a source re-pushing its lead with a fresh request id, maybe with a corrected field, is still the same
submission).

The request digest is HMAC-SHA256 under the tenant's fingerprint key over a canonical encoding of the request as
sent, so the stored digest reveals nothing about the personal data in it.

The dedup ``ClaimLead`` request id is derived from ``request_id``, and so is the candidate lead id (a ULID whose
time part is the submit time and whose random part is keyed on the request id), so that a retry which reaches
dedup again (the first attempt timed out, or crashed after dedup answered) sends the very same claim and gets the
stored answer rather than a refusal. When the request has no submit_time, ingest's receive time stands in for it
and differs between attempts; such retries are resolved by the handlers' conflict path instead.

Lead ids are therefore sortable by first submit time (for live traffic: by creation time).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime

from services.common.ids import ulid_text
from services.ingest.domain.model import SubmitCommand
from services.ingest.domain.timeutil import to_us

_CLAIM_CONTEXT = b"leadflow/ingest/claim\x00"
_LEAD_ID_CONTEXT = b"leadflow/ingest/lead-id\x00"


def request_digest(tenant_key: bytes, command: SubmitCommand) -> bytes:
    """A keyed digest of everything in the request (the content a request_id is bound to)."""

    def ts(value: datetime | None) -> str | None:
        return None if value is None else value.isoformat()

    consent = command.consent
    canonical = {
        "account_id": command.account_id,
        "collect_account_id": command.collect_account_id,
        "channel": command.channel,
        "traffic_source": command.traffic_source,
        "business_source": command.business_source,
        "external_id": command.external_id,
        "name": command.name,
        "phone": command.phone,
        "wechat": command.wechat,
        "email": command.email,
        "ip": command.ip,
        "device_id": command.device_id,
        "campaign_id": command.campaign_id,
        "adgroup_id": command.adgroup_id,
        "creative_id": command.creative_id,
        "cost": None
        if command.cost is None
        else [command.cost.currency_code, command.cost.units, command.cost.nanos],
        "submit_time": ts(command.submit_time),
        "attributes": sorted(command.attributes.items()),
        "consent": None
        if consent is None
        else [consent.contact, consent.marketing, consent.notice_version, ts(consent.grant_time)],
    }
    body = json.dumps(canonical, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()
    return hmac.new(tenant_key, b"leadflow/ingest/request\x00" + body, hashlib.sha256).digest()


def claim_request_id(request_id: str) -> str:
    """The dedup ClaimLead request id of a submission: 51 characters, stable for the submission's request_id."""
    return "i1-" + hashlib.sha256(_CLAIM_CONTEXT + request_id.encode()).hexdigest()[:48]


def rescue_claim_request_id(request_id: str, attempt_id: str) -> str:
    """A fresh dedup request id for a submission whose first claim's answer was lost (see handlers)."""
    return "i1r-" + hashlib.sha256(_CLAIM_CONTEXT + request_id.encode()).hexdigest()[:24] + "-" + attempt_id


def candidate_lead_id(tenant_key: bytes, request_id: str, submit_time: datetime) -> str:
    """The lead id proposed to dedup: a ULID (48-bit milliseconds of ``submit_time``, 80 keyed bits)."""
    keyed = hmac.new(tenant_key, _LEAD_ID_CONTEXT + request_id.encode(), hashlib.sha256).digest()[:10]
    return ulid_text(to_us(submit_time) // 1000, keyed)
