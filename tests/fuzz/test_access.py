"""For every public RPC: a 5 MiB request is RESOURCE_EXHAUSTED, a call without a token UNAUTHENTICATED, and another
tenant's ids NOT_FOUND (never the resource, nor a list holding it)."""

from __future__ import annotations

import uuid
from typing import Any

import grpc
import pytest
from google.protobuf.message import Message

from leadflow.assign.v1 import assign_service_pb2 as assign_pb
from leadflow.common.v1 import lead_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as ingest_pb
from leadflow.telephony.v1 import telephony_service_pb2 as telephony_pb
from tests.fuzz.corruptions import base_request
from tests.fuzz.rpcs import RPCS, Rpc
from tests.fuzz.stack import FuzzStack

OWNER, STRANGER = "fuzz-owner", "fuzz-stranger"
FIVE_MIB = 5 * 1024 * 1024
# Methods that change or remove what they name go last, so the owner's resources exist for every other method.
DESTRUCTIVE = ("Delete", "Erase", "Forget", "Retire", "Release", "Unbind", "End")
# A found resource: the owner's call got past the lookup.
FOUND = {
    grpc.StatusCode.OK,
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.ALREADY_EXISTS,
    grpc.StatusCode.ABORTED,
}


def _unknown_field(number: int, payload: bytes) -> bytes:
    """``payload`` as a length-delimited field ``number`` unknown to every request (so any request type carries
    it, even one without a string field)."""

    def varint(value: int) -> bytes:
        out = bytearray()
        while True:
            byte, value = value & 0x7F, value >> 7
            out.append(byte | (0x80 if value else 0))
            if not value:
                return bytes(out)

    return varint(number << 3 | 2) + varint(len(payload)) + payload


@pytest.mark.parametrize("rpc", RPCS, ids=lambda rpc: rpc.id)
def test_a_5_mib_request_is_resource_exhausted(fuzz_stack: FuzzStack, rpc: Rpc) -> None:
    oversized = _unknown_field(9999, b"x" * FIVE_MIB)
    channel = fuzz_stack.channels[rpc.service]
    kind = {
        (False, False): channel.unary_unary,
        (False, True): channel.unary_stream,
        (True, False): channel.stream_unary,
        (True, True): channel.stream_stream,
    }[(rpc.client_streaming, rpc.server_streaming)]
    call = kind(rpc.path, request_serializer=lambda raw: raw, response_deserializer=lambda raw: raw)
    metadata = fuzz_stack.metadata(rpc, OWNER)
    with pytest.raises(grpc.RpcError) as raised:
        result: Any = call(
            iter([oversized]) if rpc.client_streaming else oversized, metadata=metadata, timeout=30
        )
        if rpc.server_streaming:
            list(result)
    assert raised.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED  # type: ignore[attr-defined]


@pytest.mark.parametrize("rpc", RPCS, ids=lambda rpc: rpc.id)
def test_no_token_is_unauthenticated(fuzz_stack: FuzzStack, rpc: Rpc) -> None:
    requests = [base_request(rpc)] if rpc.client_streaming else base_request(rpc)
    assert fuzz_stack.call(rpc, requests, None).code == grpc.StatusCode.UNAUTHENTICATED
    wrong_key = (("authorization", "Bearer " + "e30.e30.c2lnbmF0dXJl"),)
    assert fuzz_stack.call(rpc, requests, wrong_key).code == grpc.StatusCode.UNAUTHENTICATED


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _owner_ids(stack: FuzzStack) -> dict[str, str]:
    """The owner tenant's resources, created through the API: field name -> id."""
    by_id = {rpc.id: rpc for rpc in RPCS}

    def ok(rpc_id: str, request: Message) -> Any:
        rpc = by_id[rpc_id]
        answer = stack.call(rpc, request, stack.metadata(rpc, OWNER))
        assert answer.code == grpc.StatusCode.OK, (rpc_id, answer)
        return answer.response

    lead = ok(
        "ingest.SubmitLead",
        ingest_pb.SubmitLeadRequest(
            account_id="acct-1",
            channel=lead_pb2.CHANNEL_FORM,
            traffic_source=lead_pb2.TRAFFIC_SOURCE_AD_DIRECT,
            business_source=lead_pb2.BUSINESS_SOURCE_LANDING_PAGE,
            request_id=_unique("lead"),
            name="张三",
            phone="+8613912345673",
        ),
    ).lead
    team = ok(
        "assign.CreateTeam",
        assign_pb.CreateTeamRequest(team=assign_pb.Team(display_name="East"), request_id=_unique("team")),
    ).team
    agent = ok(
        "assign.CreateAgent",
        assign_pb.CreateAgentRequest(
            agent=assign_pb.Agent(team_id=team.id, display_name="Li", user_id=_unique("user")),
            request_id=_unique("agent"),
        ),
    ).agent
    tag = ok(
        "assign.CreateTag",
        assign_pb.CreateTagRequest(
            tag=assign_pb.Tag(display_name="VIP", scope=assign_pb.TAG_SCOPE_ENTERPRISE),
            request_id=_unique("tag"),
        ),
    ).tag
    number = ok(
        "telephony.AddNumbers",
        telephony_pb.AddNumbersRequest(
            numbers=[telephony_pb.MaskedNumber(phone_number="+8617000000001")], request_id=_unique("number")
        ),
    ).numbers[0]
    return {
        "lead_id": lead.id,
        "team_id": team.id,
        "agent_id": agent.id,
        "tag_id": tag.id,
        "number_id": number.id,
    }


def _with_ids(rpc: Rpc, ids: dict[str, str]) -> Message | None:
    """``rpc``'s plausible request with every field named in ``ids`` set to the owner's id (the resource's own
    ``id`` inside an Update's message too); None when the request names none of them."""
    request = base_request(rpc, _unique("req"))
    named = False
    for field in rpc.input.fields:
        if field.name in ids and not field.is_repeated:
            setattr(request, field.name, ids[field.name])
            named = True
        inner = field.message_type
        if inner is None or field.is_repeated or inner.full_name.startswith("google.protobuf."):
            continue
        own = f"{field.name}_id"  # UpdateAgentRequest.agent.id is the agent_id
        if own in ids and "id" in inner.fields_by_name:
            getattr(request, field.name).id = ids[own]
            named = True
    return request if named else None


def test_another_tenants_ids_answer_not_found(fuzz_stack: FuzzStack) -> None:
    ids = _owner_ids(fuzz_stack)
    ordered = sorted(RPCS, key=lambda rpc: rpc.method.startswith(DESTRUCTIVE))
    decisive, failures = [], []
    for rpc in ordered:
        request = _with_ids(rpc, ids)
        if request is None or rpc.client_streaming or rpc.method.startswith("Create"):
            continue  # a Create names no existing resource: the id in its message is output only
        stranger = fuzz_stack.call(rpc, request, fuzz_stack.metadata(rpc, STRANGER))
        owner = fuzz_stack.call(rpc, request, fuzz_stack.metadata(rpc, OWNER))
        leaked = stranger.code == grpc.StatusCode.OK and any(
            value.encode() in stranger.response.SerializeToString() for value in ids.values()
        )
        if leaked:
            failures.append((rpc.id, "the stranger's answer holds the owner's id"))
        if owner.code in FOUND and not rpc.method.startswith("List"):
            decisive.append(rpc.id)
            if stranger.code != grpc.StatusCode.NOT_FOUND:
                failures.append((rpc.id, stranger.code, stranger.details, "owner got", owner.code))
    assert not failures, failures
    # The check above proves something only for the methods where the owner's call found the resource.
    assert len(decisive) >= 10, decisive
    print("methods where the owner's call found the resource:", len(decisive), decisive)
