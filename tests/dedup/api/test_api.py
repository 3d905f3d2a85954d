"""DedupService over gRPC: roles, error details, the claim lifecycle, bindings, batches, tenants, events."""

from __future__ import annotations

import asyncio

import grpc
import nats
import pytest
from google.protobuf import duration_pb2, field_mask_pb2

from leadflow.common.v1 import lead_pb2
from leadflow.dedup.v1 import dedup_service_pb2 as pb
from leadflow.dedup.v1 import events_pb2
from services.common.auth import Role
from services.common.events import DEDUP_POLICY_CHANGED
from services.common.grpc_errors import error_info_of, field_violations_of
from services.common.protoconv import timestamp
from tests.dedup.api.conftest import DedupClient
from tests.dedup.helpers import T0, keyed, unique

PHONE, WECHAT, IP, DEVICE = (
    lead_pb2.DEDUP_DIMENSION_PHONE,
    lead_pb2.DEDUP_DIMENSION_WECHAT,
    lead_pb2.DEDUP_DIMENSION_IP,
    lead_pb2.DEDUP_DIMENSION_DEVICE,
)
NEW, DUPLICATE = lead_pb2.LEAD_VERDICT_NEW, lead_pb2.LEAD_VERDICT_DUPLICATE


def claim_request(
    account: str,
    values: dict[int, str],
    *,
    lead: str | None = None,
    request_id: str | None = None,
    collect: str | None = None,
) -> pb.ClaimLeadRequest:
    request = pb.ClaimLeadRequest(
        account_id=account,
        candidate_lead_id=lead or unique("lead"),
        fingerprints=[pb.Fingerprint(dimension=d, keyed_hash=keyed(v)) for d, v in values.items()],  # type: ignore[arg-type]
        submit_time=timestamp(T0),
        request_id=request_id or unique("req"),
    )
    if collect:
        request.collect_account_id = collect
    return request


async def expect_error(call, code: grpc.StatusCode) -> grpc.aio.AioRpcError:  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await call
    assert error.value.code() == code, error.value.details()
    return error.value


async def test_roles_are_enforced(dedup: DedupClient) -> None:
    stub = dedup.stub
    await expect_error(
        stub.ClaimLead(claim_request("a", {PHONE: "p"}), metadata=dedup.auth(Role.AGENT)),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    update = pb.UpdateDedupPolicyRequest(policy=pb.DedupPolicy(account_id="a", action=pb.DEDUP_ACTION_FLAG))
    await expect_error(
        stub.UpdateDedupPolicy(update, metadata=dedup.auth(Role.SERVICE)), grpc.StatusCode.PERMISSION_DENIED
    )
    await expect_error(
        stub.BindAccount(
            pb.BindAccountRequest(parent_account_id="p", child_account_id="c"),
            metadata=dedup.auth(Role.SERVICE),
        ),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    await expect_error(
        stub.GetDedupPolicy(pb.GetDedupPolicyRequest(account_id="a")), grpc.StatusCode.UNAUTHENTICATED
    )
    # Services may read policies; only ingest may claim.
    reply = await stub.GetDedupPolicy(
        pb.GetDedupPolicyRequest(account_id="a"), metadata=dedup.auth(Role.SERVICE, subject="telephony")
    )
    assert list(reply.policy.dimensions) == [PHONE] and reply.policy.scope == pb.DEDUP_SCOPE_ACCOUNT
    assert reply.policy.ip_window.seconds == 86400
    claimed = await stub.ClaimLead(claim_request("a", {PHONE: "p"}), metadata=dedup.auth())
    assert claimed.verdict == NEW


async def test_claims_and_forgetting_answer_only_ingest(dedup: DedupClient) -> None:
    """Issue 13 item 6: a tenant's tokens (admin, agent) and other services' tokens get PERMISSION_DENIED from
    ClaimLead, BatchClaimLeads and ForgetLead, and change nothing; ingest's own token is answered."""
    stub = dedup.stub
    ingest = dedup.auth()
    first = await stub.ClaimLead(claim_request("acct", {PHONE: "+8613800138000"}, lead="L1"), metadata=ingest)
    assert first.verdict == NEW
    strangers = [
        dedup.auth(Role.ADMIN, subject="ingest"),  # a tenant admin, even one whose user id reads "ingest"
        dedup.auth(Role.AGENT),
        dedup.auth(Role.SERVICE, subject="telephony"),  # another leadflow service
        dedup.auth(Role.SERVICE, subject="ad-platform"),  # an ad platform's integration
        dedup.auth(Role.SERVICE, subject="Ingest"),  # identities are exact
    ]
    for token in strangers:
        calls = [
            stub.ForgetLead(pb.ForgetLeadRequest(lead_id="L1"), metadata=token),
            stub.ClaimLead(claim_request("acct", {PHONE: "+8613800138000"}, lead="L2"), metadata=token),
            stub.BatchClaimLeads(
                pb.BatchClaimLeadsRequest(requests=[claim_request("acct", {PHONE: "x"}, lead="L3")]),
                metadata=token,
            ),
        ]
        for call in calls:
            error = await expect_error(call, grpc.StatusCode.PERMISSION_DENIED)
            info = error_info_of(error)
            assert info is not None and info.reason in ("CALLER_NOT_ALLOWED", "ROLE_NOT_ALLOWED")
    # Nothing was forgotten and nothing claimed: the phone still belongs to L1, and L2/L3 left no key.
    explained = await stub.ExplainLead(pb.ExplainLeadRequest(lead_id="L1"), metadata=ingest)
    assert len(explained.keys) == 1
    for lead in ("L2", "L3"):
        await expect_error(
            stub.ExplainLead(pb.ExplainLeadRequest(lead_id=lead), metadata=ingest), grpc.StatusCode.NOT_FOUND
        )
    again = await stub.ClaimLead(claim_request("acct", {PHONE: "+8613800138000"}, lead="L4"), metadata=ingest)
    assert again.verdict == DUPLICATE and again.canonical_lead_id == "L1"
    # Support and audits still read the index with an admin token.
    assert (await stub.ExplainLead(pb.ExplainLeadRequest(lead_id="L1"), metadata=dedup.auth(Role.ADMIN))).keys
    forgot = await stub.ForgetLead(pb.ForgetLeadRequest(lead_id="L1"), metadata=ingest)
    assert forgot.removed_count == 1


async def test_a_wrong_length_hash_is_invalid_argument_naming_the_field(dedup: DedupClient) -> None:
    request = claim_request("a", {PHONE: "p"})
    request.fingerprints.append(pb.Fingerprint(dimension=DEVICE, keyed_hash=b"13800138000"))
    error = await expect_error(
        dedup.stub.ClaimLead(request, metadata=dedup.auth()), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert [f for f, _ in field_violations_of(error)] == ["fingerprints[1].keyed_hash"]
    info = error_info_of(error)
    assert info is not None and info.domain == "leadflow.io" and info.reason == "INVALID_ARGUMENT"
    assert "13800138000" not in (error.details() or "")


async def test_claim_explain_forget_lifecycle(dedup: DedupClient) -> None:
    stub, auth = dedup.stub, dedup.auth()
    admin = dedup.auth(Role.ADMIN, subject="alice")
    policy = pb.DedupPolicy(
        account_id="acct",
        dimensions=[PHONE, IP, DEVICE],
        windows=[pb.DimensionWindow(dimension=PHONE, window=duration_pb2.Duration(seconds=30 * 86400))],
        ip_window=duration_pb2.Duration(seconds=3600),
    )
    updated = await stub.UpdateDedupPolicy(
        pb.UpdateDedupPolicyRequest(
            policy=policy, update_mask=field_mask_pb2.FieldMask(paths=["dimensions", "windows", "ip_window"])
        ),
        metadata=admin,
    )
    assert updated.policy.updated_by == "alice" and list(updated.policy.dimensions) == [PHONE, IP, DEVICE]

    first = await stub.ClaimLead(
        claim_request("acct", {PHONE: "+8613800138000", DEVICE: "dev"}, lead="L1"), metadata=auth
    )
    assert first.verdict == NEW and first.canonical_lead_id == "L1" and not first.matches
    dup = await stub.ClaimLead(
        claim_request("acct", {PHONE: "+8613800138000", IP: "10.1.1.1"}, lead="L2"), metadata=auth
    )
    assert dup.verdict == DUPLICATE and dup.canonical_lead_id == "L1" and dup.action == pb.DEDUP_ACTION_MERGE
    (match,) = dup.matches
    assert match.dimension == PHONE and match.lead_id == "L1" and match.within_window
    assert match.policy_account_id == "acct" and match.window.seconds == 30 * 86400
    assert match.first_seen_time == timestamp(T0)

    explained = await stub.ExplainLead(pb.ExplainLeadRequest(lead_id="L1"), metadata=auth)
    assert [(k.dimension, k.scope_account_id) for k in explained.keys] == [
        (PHONE, "acct"),
        (IP, "acct"),
        (DEVICE, "acct"),
    ]
    assert explained.keys[0].key_hash_prefix == keyed("+8613800138000").hex()[:8]
    assert explained.keys[1].reason == "brought by duplicate submission L2 and attached to this lead"

    forgot = await stub.ForgetLead(pb.ForgetLeadRequest(lead_id="L1", request_id="f1"), metadata=auth)
    assert forgot.removed_count == 3
    again = await stub.ClaimLead(claim_request("acct", {PHONE: "+8613800138000"}, lead="L3"), metadata=auth)
    assert again.verdict == NEW

    await expect_error(
        stub.ExplainLead(pb.ExplainLeadRequest(lead_id="L3"), metadata=dedup.auth(tenant="t2")),
        grpc.StatusCode.NOT_FOUND,
    )
    await expect_error(
        stub.ForgetLead(pb.ForgetLeadRequest(lead_id="L3"), metadata=dedup.auth(tenant="t2")),
        grpc.StatusCode.NOT_FOUND,
    )


async def test_idempotent_claims(dedup: DedupClient) -> None:
    request = claim_request("acct", {PHONE: "idem"}, request_id="req-1")
    first = await dedup.stub.ClaimLead(request, metadata=dedup.auth())
    assert await dedup.stub.ClaimLead(request, metadata=dedup.auth()) == first
    changed = claim_request("acct", {PHONE: "other"}, request_id="req-1")
    error = await expect_error(
        dedup.stub.ClaimLead(changed, metadata=dedup.auth()), grpc.StatusCode.FAILED_PRECONDITION
    )
    assert error_info_of(error).reason == "REQUEST_ID_REUSED"  # type: ignore[union-attr]


async def test_bound_child_reads_but_cannot_change_its_policy(dedup: DedupClient) -> None:
    stub, admin = dedup.stub, dedup.auth(Role.ADMIN)
    await stub.UpdateDedupPolicy(
        pb.UpdateDedupPolicyRequest(
            policy=pb.DedupPolicy(
                account_id="parent", scope=pb.DEDUP_SCOPE_ACCOUNT_GROUP, action=pb.DEDUP_ACTION_FLAG
            )
        ),
        metadata=admin,
    )
    bound = await stub.BindAccount(
        pb.BindAccountRequest(parent_account_id="parent", child_account_id="child"), metadata=admin
    )
    assert bound.binding.parent_account_id == "parent" and bound.binding.bound_by == "tester"
    read = await stub.GetDedupPolicy(pb.GetDedupPolicyRequest(account_id="child"), metadata=dedup.auth())
    assert read.policy.inherited_from_account_id == "parent" and read.policy.action == pb.DEDUP_ACTION_FLAG
    error = await expect_error(
        stub.UpdateDedupPolicy(
            pb.UpdateDedupPolicyRequest(
                policy=pb.DedupPolicy(account_id="child", action=pb.DEDUP_ACTION_MERGE)
            ),
            metadata=admin,
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    info = error_info_of(error)
    assert (
        info is not None and info.reason == "ACCOUNT_BOUND" and info.metadata["parent_account_id"] == "parent"
    )
    assert "parent" in (error.details() or "")
    error = await expect_error(
        stub.BindAccount(
            pb.BindAccountRequest(parent_account_id="child", child_account_id="x"), metadata=admin
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert error_info_of(error).reason == "PARENT_IS_CHILD"  # type: ignore[union-attr]
    # Another tenant sees none of it.
    other = dedup.auth(Role.ADMIN, tenant="t2")
    listed = await stub.ListAccountBindings(pb.ListAccountBindingsRequest(), metadata=other)
    assert list(listed.bindings) == []
    await expect_error(
        stub.UnbindAccount(pb.UnbindAccountRequest(child_account_id="child"), metadata=other),
        grpc.StatusCode.NOT_FOUND,
    )
    unbound = await stub.UnbindAccount(pb.UnbindAccountRequest(child_account_id="child"), metadata=admin)
    assert unbound.binding.child_account_id == "child"
    history = await stub.ListPolicyHistory(pb.ListPolicyHistoryRequest(account_id="child"), metadata=admin)
    # Unbind then bind, newest first; the child never had its own policy, so its history is the group's effect.
    assert [list(e.changed_fields.paths) for e in history.entries] == [
        ["scope", "action", "inherited_from_account_id"]
    ] * 2
    assert history.entries[0].new_policy.inherited_from_account_id == ""
    assert history.entries[1].new_policy.inherited_from_account_id == "parent"
    assert all(e.actor == "tester" for e in history.entries)


async def test_output_only_fields_in_the_mask_are_refused(dedup: DedupClient) -> None:
    error = await expect_error(
        dedup.stub.UpdateDedupPolicy(
            pb.UpdateDedupPolicyRequest(
                policy=pb.DedupPolicy(account_id="a"),
                update_mask=field_mask_pb2.FieldMask(paths=["update_time"]),
            ),
            metadata=dedup.auth(Role.ADMIN),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert [f for f, _ in field_violations_of(error)] == ["update_mask.paths[0]"]


async def test_batch_items_succeed_or_fail_on_their_own(dedup: DedupClient) -> None:
    bad = claim_request("acct", {PHONE: "b"})
    bad.fingerprints[0].keyed_hash = b"short"
    reply = await dedup.stub.BatchClaimLeads(
        pb.BatchClaimLeadsRequest(
            requests=[claim_request("acct", {PHONE: "b1"}), bad, claim_request("acct", {PHONE: "b1"})]
        ),
        metadata=dedup.auth(),
    )
    assert [r.index for r in reply.results] == [0, 1, 2]
    assert reply.results[0].response.verdict == NEW
    assert reply.results[1].error.code == "INVALID_ARGUMENT"
    assert [v.field for v in reply.results[1].error.field_violations] == ["fingerprints[0].keyed_hash"]
    assert reply.results[2].response.verdict == DUPLICATE
    await expect_error(
        dedup.stub.BatchClaimLeads(pb.BatchClaimLeadsRequest(), metadata=dedup.auth()),
        grpc.StatusCode.INVALID_ARGUMENT,
    )


async def test_policy_changes_are_published_to_jetstream(dedup: DedupClient, shared_nats_server) -> None:  # type: ignore[no-untyped-def]
    nc = await nats.connect(shared_nats_server.url)
    try:
        js = nc.jetstream()
        sub = await js.subscribe(DEDUP_POLICY_CHANGED, ordered_consumer=True)
        account = unique("acct")
        await dedup.stub.UpdateDedupPolicy(
            pb.UpdateDedupPolicyRequest(
                policy=pb.DedupPolicy(account_id=account, dimensions=[PHONE, WECHAT])
            ),
            metadata=dedup.auth(Role.ADMIN),
        )
        deadline = asyncio.get_running_loop().time() + 10
        while True:
            message = await sub.next_msg(timeout=max(0.1, deadline - asyncio.get_running_loop().time()))
            event = events_pb2.DedupPolicyChanged.FromString(message.data)
            if event.account_id == account:
                break
        assert message.headers is not None and message.headers["Nats-Msg-Id"] == event.event_id
        assert event.tenant_id == "t1" and list(event.changed_fields.paths) == ["dimensions"]
        assert list(event.new_policy.dimensions) == [PHONE, WECHAT]
    finally:
        await nc.close()


async def test_hostile_input_is_invalid_argument_never_internal(dedup: DedupClient) -> None:
    stub, auth, admin = dedup.stub, dedup.auth(), dedup.auth(Role.ADMIN)
    cases = [
        (stub.ClaimLead(claim_request("ac\x00ct", {PHONE: "p"}), metadata=auth), "account_id"),
        (
            stub.ClaimLead(claim_request("acct", {PHONE: "p"}, lead="l\x07"), metadata=auth),
            "candidate_lead_id",
        ),
        (stub.GetDedupPolicy(pb.GetDedupPolicyRequest(account_id="a\x00"), metadata=auth), "account_id"),
        (
            stub.BindAccount(
                pb.BindAccountRequest(parent_account_id="p\x00", child_account_id="c"), metadata=admin
            ),
            "parent_account_id",
        ),
        (stub.ExplainLead(pb.ExplainLeadRequest(lead_id="\x00"), metadata=auth), "lead_id"),
        (stub.ForgetLead(pb.ForgetLeadRequest(lead_id="l", request_id="r\x00"), metadata=auth), "request_id"),
        (stub.ListAccountBindings(pb.ListAccountBindingsRequest(page_size=-1), metadata=auth), "page_size"),
        (
            stub.ListPolicyHistory(
                pb.ListPolicyHistoryRequest(account_id="a", page_token="forged"), metadata=auth
            ),
            "page_token",
        ),
        (
            stub.UpdateDedupPolicy(
                pb.UpdateDedupPolicyRequest(
                    policy=pb.DedupPolicy(account_id="a", ip_window=duration_pb2.Duration(seconds=10**15))
                ),
                metadata=admin,
            ),
            "policy.ip_window",
        ),
    ]
    year_10000 = claim_request("acct", {PHONE: "p"})
    year_10000.submit_time.seconds = 253_402_300_800
    cases.append((stub.ClaimLead(year_10000, metadata=auth), "submit_time"))
    for call, field in cases:
        error = await expect_error(call, grpc.StatusCode.INVALID_ARGUMENT)
        assert field in [f for f, _ in field_violations_of(error)], (field, error.details())
    reply = await stub.BatchClaimLeads(
        pb.BatchClaimLeadsRequest(requests=[year_10000, claim_request("acct", {PHONE: "fine"})]),
        metadata=auth,
    )
    assert reply.results[0].error.code == "INVALID_ARGUMENT"
    assert [v.field for v in reply.results[0].error.field_violations] == ["submit_time"]
    assert reply.results[1].response.verdict == NEW
