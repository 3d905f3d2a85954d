"""GetIngestSettings / UpdateIngestSettings: the tenant's default region and landline rule, applied at once."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import field_mask_pb2

from leadflow.common.v1 import lead_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.common.grpc_errors import field_violations_of
from tests.ingest.helpers import lead_request, unique

pytestmark = pytest.mark.asyncio(loop_scope="module")


def _update(mask: list[str], **settings: object) -> pb.UpdateIngestSettingsRequest:
    return pb.UpdateIngestSettingsRequest(
        settings=pb.IngestSettings(**settings), update_mask=field_mask_pb2.FieldMask(paths=mask)
    )


async def test_defaults_then_hong_kong_mobiles_only(stack) -> None:
    ingest = stack.ingest_stub()
    tenant = unique("tenant")
    admin = stack.metadata(tenant, "admin")
    service = stack.metadata(tenant)

    got = await ingest.GetIngestSettings(pb.GetIngestSettingsRequest(), metadata=admin)
    assert got.settings.default_region == "CN"
    assert got.settings.landline_allowed is True
    assert not got.settings.HasField("update_time")

    # A submission under the defaults fills this replica's screening cache: a landline passes.
    first = await ingest.SubmitLead(lead_request(phone="010 6552 9988"), metadata=service)
    assert first.verdict == lead_pb2.LEAD_VERDICT_NEW

    updated = await ingest.UpdateIngestSettings(
        _update(["default_region", "landline_allowed"], default_region="hk", landline_allowed=False),
        metadata=admin,
    )
    assert updated.settings.default_region == "HK"
    assert updated.settings.landline_allowed is False
    assert updated.settings.HasField("update_time")
    got = await ingest.GetIngestSettings(pb.GetIngestSettingsRequest(), metadata=admin)
    assert got.settings == updated.settings

    landline = await ingest.SubmitLead(lead_request(phone="2123 4567"), metadata=service)
    assert landline.verdict == lead_pb2.LEAD_VERDICT_REJECTED
    assert [r.code for r in landline.rejection_reasons] == [pb.REJECTION_CODE_PHONE_LANDLINE_NOT_ALLOWED]

    local_mobile = await ingest.SubmitLead(lead_request(phone="5123 4567"), metadata=service)
    assert local_mobile.verdict == lead_pb2.LEAD_VERDICT_NEW
    assert local_mobile.lead.phone == "+85251234567"

    # A mask naming one field leaves the other alone.
    only_landlines = await ingest.UpdateIngestSettings(
        _update(["landline_allowed"], default_region="", landline_allowed=True), metadata=admin
    )
    assert only_landlines.settings.default_region == "HK"
    assert only_landlines.settings.landline_allowed is True

    # Another tenant still has the defaults.
    other = await ingest.GetIngestSettings(
        pb.GetIngestSettingsRequest(), metadata=stack.metadata(unique("tenant"), "admin")
    )
    assert other.settings.default_region == "CN"


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (_update(["default_region"], default_region="XX"), "settings.default_region"),
        (_update(["default_region"], default_region=""), "settings.default_region"),
        (_update(["default_region", "colour"], default_region="HK"), "update_mask"),
        (_update(["update_time"]), "update_mask"),
        (_update([], default_region="HK"), "update_mask"),
    ],
)
async def test_bad_updates_are_invalid_argument(stack, request_, field) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stack.ingest_stub().UpdateIngestSettings(
            request_, metadata=stack.metadata(unique("t"), "admin")
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in [path for path, _ in field_violations_of(caught.value)]


async def test_settings_are_admin_only(stack) -> None:
    for call, request in (
        (stack.ingest_stub().GetIngestSettings, pb.GetIngestSettingsRequest()),
        (stack.ingest_stub().UpdateIngestSettings, _update(["landline_allowed"])),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call(request, metadata=stack.metadata(unique("t")))
        assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
