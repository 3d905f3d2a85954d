"""The dedup client's messages: claims to ``ClaimLeadRequest``, answers back to domain values."""

from __future__ import annotations

from leadflow.common.v1 import lead_pb2
from leadflow.dedup.v1 import dedup_service_pb2 as dedup_pb
from services.common.protoconv import timestamp, to_datetime, to_enum
from services.ingest.domain.model import DedupAction, Dimension, Match, Verdict
from services.ingest.domain.ports import ClaimAnswer, ClaimRequest


def claim_message(request: ClaimRequest) -> dedup_pb.ClaimLeadRequest:
    message = dedup_pb.ClaimLeadRequest(
        account_id=request.account_id,
        candidate_lead_id=request.candidate_lead_id,
        fingerprints=[
            dedup_pb.Fingerprint(dimension=to_enum(lead_pb2.DedupDimension, d), keyed_hash=h)
            for d, h in request.fingerprints
        ],
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
            Match(
                Dimension(m.dimension), m.lead_id, to_datetime(m.first_seen_time, "matches.first_seen_time")
            )
            for m in response.matches
        ),
        action=DedupAction(response.action),
    )
