"""Error replies always fit gRPC's metadata limit (issue 13 item 4): an update mask of one 10,000-character path or
of 2,000 short paths answers INVALID_ARGUMENT with bounded field violations, never RESOURCE_EXHAUSTED."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import field_mask_pb2

from leadflow.dedup.v1 import dedup_service_pb2 as dedup_pb
from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.common.grpc_errors import MAX_VIOLATIONS, field_violations_of
from tests.ingest.helpers import unique

pytestmark = pytest.mark.asyncio(loop_scope="module")

MASKS = {"one long path": ["x" * 10_000], "many short paths": [f"field_{n}" for n in range(2000)]}


@pytest.mark.parametrize("paths", MASKS.values(), ids=list(MASKS))
async def test_update_ingest_settings_with_a_huge_mask(stack, paths: list[str]) -> None:
    request = pb.UpdateIngestSettingsRequest(
        settings=pb.IngestSettings(default_region="CN"), update_mask=field_mask_pb2.FieldMask(paths=paths)
    )
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await stack.ingest_stub().UpdateIngestSettings(request, metadata=stack.metadata(unique("t"), "admin"))
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    violations = field_violations_of(error.value)
    assert 1 <= len(violations) <= MAX_VIOLATIONS + 1 and violations[0][0] == "update_mask"
    assert all(len(field) <= 128 and len(description) <= 256 for field, description in violations)
    if len(paths) > MAX_VIOLATIONS:
        assert violations[-1] == ("request", f"and {len(paths) - MAX_VIOLATIONS} more violations not listed")


@pytest.mark.parametrize("paths", MASKS.values(), ids=list(MASKS))
async def test_update_dedup_policy_with_a_huge_mask(stack, paths: list[str]) -> None:
    request = dedup_pb.UpdateDedupPolicyRequest(
        policy=dedup_pb.DedupPolicy(account_id="acct"), update_mask=field_mask_pb2.FieldMask(paths=paths)
    )
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await stack.dedup_stub().UpdateDedupPolicy(request, metadata=stack.metadata(unique("t"), "admin"))
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert 1 <= len(field_violations_of(error.value)) <= MAX_VIOLATIONS + 1
