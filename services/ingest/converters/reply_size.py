"""BatchSubmitLeads' answer within the gRPC message limit, checked before anything is written (issue 12 item 12).

A batch's answer repeats each item twice (the stored submission and the lead it made or joined) and adds what the
server assigns (ids, times, region, verdict, matches, reasons). An answer over ``LEADFLOW_GRPC_MAX_MESSAGE_BYTES``
cannot be sent: the client would get RESOURCE_EXHAUSTED after the leads were stored, and every retry would replay
the same answer. So:

- ``check_batch_answer_fits``: before any item is processed, a request whose answer could pass the limit (twice
  its items plus ``ANSWER_OVERHEAD_BYTES`` each) is refused with INVALID_ARGUMENT on ``requests``, saying how many
  items of this size fit; nothing is stored.
- ``fit_answer``: the one answer the estimate cannot see coming is a DUPLICATE joined to an earlier lead larger
  than the item; if the answer still passes the limit, those items' ``lead`` is left unset from the last item
  backwards (``duplicate_of_lead_id`` names it for GetLead) until it fits.
"""

from __future__ import annotations

from leadflow.common.v1 import lead_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.common.errors import FieldViolation, ViolationCollector

# What the server adds to one item's answer beyond the two copies of the item: ids, times, region, carrier,
# verdict, up to a few matches and reasons. Measured at under 1.2 KiB for the largest (a REJECTED item with
# several reasons); 2 KiB leaves room for growth.
ANSWER_OVERHEAD_BYTES = 2048


def answer_bound(request: pb.BatchSubmitLeadsRequest) -> int:
    """Bytes the answer to ``request`` can take at most, duplicates of larger leads aside."""
    return sum(2 * item.ByteSize() + ANSWER_OVERHEAD_BYTES for item in request.requests)


def check_batch_answer_fits(request: pb.BatchSubmitLeadsRequest, limit_bytes: int) -> None:
    """Raises ``InvalidArgument`` (field ``requests``) when the answer to ``request`` could pass ``limit_bytes``."""
    bound = answer_bound(request)
    if bound <= limit_bytes or not request.requests:
        return
    per_item = bound / len(request.requests)
    fitting = max(1, int(limit_bytes // per_item))
    ViolationCollector(
        [
            FieldViolation(
                "requests",
                f"the answer to these {len(request.requests)} items could take {bound:,} bytes, over the "
                f"{limit_bytes:,}-byte message limit (each item is answered with its submission and its lead); "
                f"send at most {fitting} items of this size per call",
            )
        ]
    ).raise_if_any()


def fit_answer(answer: pb.BatchSubmitLeadsResponse, limit_bytes: int) -> pb.BatchSubmitLeadsResponse:
    """``answer`` within ``limit_bytes``: DUPLICATE items' ``lead`` left unset from the end until it fits."""
    size = answer.ByteSize()
    for result in reversed(answer.results):
        if size <= limit_bytes:
            break
        response = result.response if result.WhichOneof("result") == "response" else None
        if (
            response is not None
            and response.verdict == lead_pb2.LEAD_VERDICT_DUPLICATE
            and response.HasField("lead")
        ):
            response.ClearField("lead")
            size = answer.ByteSize()
    return answer
