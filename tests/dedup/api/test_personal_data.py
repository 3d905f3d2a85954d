"""Dedup stores and receives only keyed hashes: after a run, no raw phone, WeChat id, e-mail, IP or device id is in
its database files (main file, WAL and shared memory), in any of the forms the test knows the values in."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from google.protobuf import field_mask_pb2

from leadflow.common.v1 import lead_pb2
from leadflow.dedup.v1 import dedup_service_pb2 as pb
from services.common.auth import Role
from tests.dedup.api.conftest import start_dedup
from tests.dedup.api.test_api import claim_request
from tests.dedup.helpers import HMAC_KEY, keyed

PHONE, WECHAT, EMAIL, IP, DEVICE = (
    lead_pb2.DEDUP_DIMENSION_PHONE,
    lead_pb2.DEDUP_DIMENSION_WECHAT,
    lead_pb2.DEDUP_DIMENSION_EMAIL,
    lead_pb2.DEDUP_DIMENSION_IP,
    lead_pb2.DEDUP_DIMENSION_DEVICE,
)

PEOPLE = [
    {
        PHONE: ("+8613800138000", "13800138000", "138 0013 8000", "138-0013-8000", "8613800138000"),
        WECHAT: ("wxid_Zhang3_88",),
        EMAIL: ("zhang.san@example.com",),
        IP: ("203.0.113.77",),
        DEVICE: ("867530912345678",),
    },
    {
        PHONE: ("+8613912345678", "13912345678", "139 1234 5678", "8613912345678"),
        WECHAT: ("li_si_wechat",),
        EMAIL: ("li.si@example.org",),
        IP: ("2001:db8::8a2e:370:7334",),
        DEVICE: ("a1b2c3d4-e5f6-4711-8899-aabbccddeeff",),
    },
]


def forms(value: str) -> set[bytes]:
    """Byte forms a raw value could take in a file: text in several encodings and cases, packed IPs."""
    texts = {value, value.lower(), value.upper(), value.replace("-", "")}
    out: set[bytes] = set()
    for text in texts:
        out.update({text.encode(), text.encode("utf-16-le"), text.encode("utf-16-be")})
    try:
        out.add(ipaddress.ip_address(value).packed)
    except ValueError:
        pass
    return {form for form in out if len(form) >= 4}


async def test_no_raw_personal_data_in_the_database_files(tmp_path: Path, shared_nats_server) -> None:  # type: ignore[no-untyped-def]
    import grpc

    from leadflow.dedup.v1 import dedup_service_pb2_grpc

    running, codec = await start_dedup(tmp_path, shared_nats_server.url)
    service = (("authorization", "Bearer " + codec.mint(tenant="t1", role=Role.SERVICE, subject="ingest")),)
    admin = (("authorization", "Bearer " + codec.mint(tenant="t1", role=Role.ADMIN)),)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            stub = dedup_service_pb2_grpc.DedupServiceStub(channel)
            await stub.UpdateDedupPolicy(
                pb.UpdateDedupPolicyRequest(
                    policy=pb.DedupPolicy(account_id="acct", dimensions=[PHONE, WECHAT, EMAIL, IP, DEVICE]),
                    update_mask=field_mask_pb2.FieldMask(paths=["dimensions"]),
                ),
                metadata=admin,
            )
            for number, person in enumerate(PEOPLE):
                # Ingest hashes the normalised value (the first form); every submission carries all dimensions.
                values = {dim: options[0] for dim, options in person.items()}
                first = await stub.ClaimLead(
                    claim_request("acct", values, lead=f"lead-{number}", collect="collect-acct"),
                    metadata=service,
                )
                assert first.verdict == lead_pb2.LEAD_VERDICT_NEW
                await stub.BatchClaimLeads(
                    pb.BatchClaimLeadsRequest(
                        requests=[
                            claim_request("acct", values),
                            claim_request("acct", {PHONE: person[PHONE][0]}),
                        ]
                    ),
                    metadata=service,
                )
                await stub.ExplainLead(pb.ExplainLeadRequest(lead_id=f"lead-{number}"), metadata=service)
            await stub.ForgetLead(
                pb.ForgetLeadRequest(lead_id="lead-1", request_id="erase-1"), metadata=service
            )
    finally:
        await running.stop()

    files = sorted(tmp_path.glob("dedup.db*"))
    assert files and files[0].name == "dedup.db"
    contents = {path.name: path.read_bytes() for path in files}
    # Positive controls: the scan sees what dedup does store (the keyed hash of a value that was not forgotten,
    # account ids), so an empty result below means something.
    assert any(keyed(PEOPLE[0][PHONE][0]) in data for data in contents.values())
    assert any(b"collect-acct" in data for data in contents.values())
    found = [
        (name, raw)
        for person in PEOPLE
        for options in person.values()
        for raw in options
        for form in forms(raw)
        for name, data in contents.items()
        if form in data
    ]
    assert found == []
    assert all(HMAC_KEY not in data for data in contents.values())
