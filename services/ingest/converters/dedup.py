"""The dedup client's messages: claims to ``ClaimLeadRequest``, answers back to domain values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from leadflow.common.v1 import lead_pb2
from leadflow.dedup.v1 import dedup_service_pb2 as dedup_pb
from services.common.protoconv import timestamp_fields, to_datetime, to_enum
from services.ingest.domain.model import DedupAction, Dimension, Match, Verdict
from services.ingest.domain.ports import ClaimAnswer, ClaimRequest


def claim_message(request: ClaimRequest) -> dedup_pb.ClaimLeadRequest:
    return dedup_pb.ClaimLeadRequest(**claim_fields(request))


def batch_claim_message(requests: Sequence[ClaimRequest]) -> dedup_pb.BatchClaimLeadsRequest:
    return dedup_pb.BatchClaimLeadsRequest(requests=[claim_fields(r) for r in requests])


def claim_fields(request: ClaimRequest) -> dict[str, Any]:
    """A ClaimLeadRequest's fields as a dict (built from dicts: ``protoconv.timestamp_fields`` says why)."""
    fields = {
        "account_id": request.account_id,
        "candidate_lead_id": request.candidate_lead_id,
        "fingerprints": [
            {"dimension": to_enum(lead_pb2.DedupDimension, d), "keyed_hash": h}
            for d, h in request.fingerprints
        ],
        "submit_time": timestamp_fields(request.submit_time),
        "request_id": request.request_id,
    }
    if request.collect_account_id:
        fields["collect_account_id"] = request.collect_account_id
    return fields


def claim_answer(response: dedup_pb.ClaimLeadResponse) -> ClaimAnswer:
    return ClaimAnswer(
        verdict=Verdict(response.verdict),
        canonical_lead_id=response.canonical_lead_id,
        matches=tuple(
            Match(
                Dimension(m.dimension), m.lead_id, to_datetime(m.first_seen_time, "matches.first_seen_time")
            )
            for m in response.matches
        ),
        action=DedupAction(response.action),
    )
