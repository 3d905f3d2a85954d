"""Phone cells as advertisers' data really holds them, through the real ingest and dedup (issue 12, items 2-3):
extensions kept in their own field, several numbers in one cell kept as alternate phones that dedup matches on, and
the tenant settings that turn either off."""

from __future__ import annotations

import pytest
from google.protobuf import field_mask_pb2

from leadflow.common.v1 import lead_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as pb
from tests.ingest.helpers import lead_request, mobile, unique

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_an_extension_is_kept_beside_the_number(stack) -> None:
    ingest, md = stack.ingest_stub(), stack.metadata(unique("tenant"))
    landline = await ingest.SubmitLead(lead_request(phone="0755-12345678转8001"), metadata=md)
    assert landline.verdict == lead_pb2.LEAD_VERDICT_NEW
    assert (landline.lead.phone, landline.lead.phone_extension) == ("+8675512345678", "8001")
    privacy = await ingest.SubmitLead(lead_request(phone="13512345678-9100"), metadata=md)
    assert (privacy.lead.phone, privacy.lead.phone_extension) == ("+8613512345678", "9100")
    read = await ingest.GetLead(pb.GetLeadRequest(lead_id=privacy.lead.id), metadata=md)
    assert read.lead.phone_extension == "9100"  # stored, not only answered


async def test_a_second_number_in_the_cell_is_an_alternate_that_dedup_matches(stack) -> None:
    ingest, md = stack.ingest_stub(), stack.metadata(unique("tenant"))
    main, other = mobile(), mobile()
    first = await ingest.SubmitLead(lead_request(phone=f"{main} / {other}"), metadata=md)
    assert first.lead.phone == "+86" + main and list(first.lead.alternate_phones) == ["+86" + other]
    again = await ingest.SubmitLead(lead_request(phone=other), metadata=md)
    assert again.verdict == lead_pb2.LEAD_VERDICT_DUPLICATE and again.lead.id == first.lead.id


async def test_tenants_may_refuse_extensions_and_drop_alternates(stack) -> None:
    ingest, tenant = stack.ingest_stub(), unique("tenant")
    admin, md = stack.metadata(tenant, "admin"), stack.metadata(tenant)
    updated = await ingest.UpdateIngestSettings(
        pb.UpdateIngestSettingsRequest(
            settings=pb.IngestSettings(phone_extension_allowed=False, alternate_phones_kept=False),
            update_mask=field_mask_pb2.FieldMask(paths=["phone_extension_allowed", "alternate_phones_kept"]),
        ),
        metadata=admin,
    )
    assert not updated.settings.phone_extension_allowed and not updated.settings.alternate_phones_kept
    refused = await ingest.SubmitLead(lead_request(phone="13512345678-9100"), metadata=md)
    assert refused.verdict == lead_pb2.LEAD_VERDICT_REJECTED
    assert [r.rule for r in refused.rejection_reasons] == ["phone.extension_not_accepted"]
    main, other = mobile(), mobile()
    first = await ingest.SubmitLead(lead_request(phone=f"{main}, {other}"), metadata=md)
    assert first.lead.phone == "+86" + main and list(first.lead.alternate_phones) == []
    separate = await ingest.SubmitLead(lead_request(phone=other), metadata=md)
    assert separate.verdict == lead_pb2.LEAD_VERDICT_NEW  # the dropped number was never matched on
