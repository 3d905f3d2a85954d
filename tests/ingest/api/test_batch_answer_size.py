"""BatchSubmitLeads never stores a batch whose answer it could not send (issue 12 item 12): a request inside the
message limit whose answer (each item twice, plus what the server adds) could pass it is refused with
INVALID_ARGUMENT on ``requests`` before anything is written; a batch that fits is answered in full to a client
with gRPC's default 4 MiB receive limit (trimming duplicates of larger leads: tests/ingest/unit/test_reply_size.py)."""

from __future__ import annotations

import grpc
import pytest

from leadflow.common.v1 import lead_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.common.grpc_errors import field_violations_of
from services.ingest.converters.reply_size import answer_bound
from tests.ingest.helpers import lead_request, unique

pytestmark = pytest.mark.asyncio(loop_scope="module")

LIMIT = (
    4 * 1024 * 1024
)  # the default LEADFLOW_GRPC_MAX_MESSAGE_BYTES, and gRPC clients' default receive limit


def _long_lead(marker: int) -> pb.SubmitLeadRequest:
    """A valid item of about 9 KB: nine attributes of 980 characters (the documented limit is 64 of 1,024)."""
    return lead_request(attributes={f"备注{k}": f"{marker}-{k}-" + "x" * 970 for k in range(9)})


async def _count(stack, tenant: str) -> int:  # type: ignore[no-untyped-def]
    reply = await stack.ingest_stub().ListLeads(
        pb.ListLeadsRequest(page_size=1), metadata=stack.metadata(tenant)
    )
    return reply.total_size


@pytest.mark.parametrize("items", [458, 300])
async def test_a_batch_whose_answer_could_not_be_sent_is_refused_and_stores_nothing(
    stack, items: int
) -> None:
    tenant = unique("tenant")
    request = pb.BatchSubmitLeadsRequest(requests=[_long_lead(i) for i in range(items)])
    assert (
        request.ByteSize() < LIMIT < answer_bound(request)
    )  # inside every documented limit, as in the issue
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stack.ingest_stub().BatchSubmitLeads(request, metadata=stack.metadata(tenant))
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    [(field, description)] = field_violations_of(refused.value)
    assert field == "requests" and "send at most" in description
    fitting = int(description.split("send at most ")[1].split()[0])
    assert await _count(stack, tenant) == 0

    # The count the error names fits: the answer arrives whole at a client with the default receive limit.
    smaller = pb.BatchSubmitLeadsRequest(requests=request.requests[:fitting])
    answer = await stack.ingest_stub().BatchSubmitLeads(smaller, metadata=stack.metadata(tenant))
    assert [r.response.verdict for r in answer.results] == [lead_pb2.LEAD_VERDICT_NEW] * fitting
    assert answer.ByteSize() <= LIMIT and await _count(stack, tenant) == fitting
