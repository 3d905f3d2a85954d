"""Claims: requests to commands, answers and explained keys to messages."""

from __future__ import annotations

from typing import Any

from leadflow.common.v1 import lead_pb2
from leadflow.dedup.v1 import dedup_service_pb2 as pb
from services.common.errors import DomainError
from services.common.protoconv import duration, item_error, timestamp, timestamp_fields, to_datetime, to_enum
from services.dedup.domain.claims import ClaimCommand
from services.dedup.domain.model import ClaimResult, ExplainedKey


def claim_command(request: pb.ClaimLeadRequest) -> ClaimCommand:
    """Raises InvalidArgument for a submit_time outside the protobuf range."""
    return ClaimCommand(
        account_id=request.account_id,
        candidate_lead_id=request.candidate_lead_id,
        fingerprints=tuple((int(f.dimension), bytes(f.keyed_hash)) for f in request.fingerprints),
        submit_time=to_datetime(request.submit_time, "submit_time")
        if request.HasField("submit_time")
        else None,
        request_id=request.request_id,
        collect_account_id=request.collect_account_id,
    )


def claim_command_or_error(item: pb.ClaimLeadRequest) -> ClaimCommand | DomainError:
    """A batch item as a command, or the error that fails it alone (a timestamp outside the protobuf range)."""
    try:
        return claim_command(item)
    except DomainError as error:
        return error


def claim_response(result: ClaimResult) -> pb.ClaimLeadResponse:
    return pb.ClaimLeadResponse(**claim_response_fields(result))


def claim_response_fields(result: ClaimResult) -> dict[str, Any]:
    """A ClaimLeadResponse's fields as a dict: answers are built from dicts, since upb copies every message handed
    to a constructor and reads a dict straight in (``protoconv.timestamp_fields``)."""
    return {
        "verdict": to_enum(lead_pb2.LeadVerdict, result.verdict),
        "canonical_lead_id": result.canonical_lead_id,
        "action": to_enum(pb.DedupAction, result.action),
        "matches": [
            {
                "dimension": to_enum(lead_pb2.DedupDimension, m.dimension),
                "lead_id": m.lead_id,
                "first_seen_time": timestamp_fields(m.first_seen),
                "policy_account_id": m.policy_account_id,
                "window": duration(m.window),
                "within_window": m.within_window,
            }
            for m in result.matches
        ],
    }


def batch_claim_response(outcomes: list[ClaimResult | DomainError]) -> pb.BatchClaimLeadsResponse:
    return pb.BatchClaimLeadsResponse(
        results=[
            {"index": index, "response": claim_response_fields(outcome)}
            if isinstance(outcome, ClaimResult)
            else {"index": index, "error": item_error(outcome)}
            for index, outcome in enumerate(outcomes)
        ]
    )


def index_key_message(key: ExplainedKey) -> pb.IndexKey:
    return pb.IndexKey(
        dimension=to_enum(lead_pb2.DedupDimension, key.dimension),
        key_hash_prefix=key.key_hash_prefix,
        scope_account_id=key.scope_account_id,
        first_seen_time=timestamp(key.first_seen),
        last_seen_time=timestamp(key.last_seen),
        reason=key.reason,
    )
