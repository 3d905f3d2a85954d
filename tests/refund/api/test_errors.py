"""Every refund RPC from outside: roles (bootstrap.METHOD_ROLES), INVALID_ARGUMENT naming the field with nothing
changed, NOT_FOUND for another tenant's ids, and the domain's refusals as their documented status and reason."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import grpc
import pytest

from leadflow.common.v1 import money_pb2
from leadflow.refund.v1 import refund_service_pb2 as pb
from services.common.auth import Role
from services.common.grpc_errors import error_info_of, field_violations_of
from services.refund.bootstrap import METHOD_ROLES
from services.refund.domain.calls import CallOutcome
from tests.refund.api.conftest import RefundClient
from tests.refund.events import call_completed, lead_accepted, unique
from tests.refund.unit.builders import at

# One valid-looking request per method (ids that exist nowhere: the role check comes before any lookup).
REQUESTS: dict[str, Any] = {
    "GetEligibility": pb.GetEligibilityRequest(lead_id="l"),
    "ListCases": pb.ListCasesRequest(),
    "GetRefundRules": pb.GetRefundRulesRequest(account_id="a"),
    "UpdateRefundRules": pb.UpdateRefundRulesRequest(rules=pb.RefundRules(account_id="a", min_attempts=4)),
    "RequestRefund": pb.RequestRefundRequest(case_id="c", request_id="r"),
    "GetRefund": pb.GetRefundRequest(refund_id="r"),
    "ListRefunds": pb.ListRefundsRequest(),
    "GetStatement": pb.GetStatementRequest(account_id="a", year=2026, month=3),
    "AppealCase": pb.AppealCaseRequest(case_id="c", reason="why", request_id="r"),
    "ListAppeals": pb.ListAppealsRequest(),
    "DecideAppeal": pb.DecideAppealRequest(appeal_id="a", decision=pb.APPEAL_DECISION_DENY, request_id="r"),
    "ListLedgerEntries": pb.ListLedgerEntriesRequest(),
}


async def call(client: RefundClient, method: str, request: Any, metadata: Any) -> Any:
    return await getattr(client.stub, method)(request, metadata=metadata)


async def status_of(client: RefundClient, method: str, request: Any, metadata: Any) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call(client, method, request, metadata)
    return raised.value


async def test_every_method_is_served_and_enforces_its_roles(refund: RefundClient) -> None:
    assert (
        set(REQUESTS)
        == set(METHOD_ROLES)
        == set(pb.DESCRIPTOR.services_by_name["RefundService"].methods_by_name)
    )
    tenant = unique("tenant")
    for method, request in REQUESTS.items():
        error = await status_of(refund, method, request, ())
        assert error.code() == grpc.StatusCode.UNAUTHENTICATED, method
        for role in Role:
            try:
                await call(refund, method, request, refund.auth(tenant, role))
                code = grpc.StatusCode.OK
            except grpc.aio.AioRpcError as rpc_error:
                code = rpc_error.code()
            if role in METHOD_ROLES[method]:
                assert code not in (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNIMPLEMENTED), (
                    method,
                    role,
                )
            else:
                assert code == grpc.StatusCode.PERMISSION_DENIED, (method, role)


BAD: list[tuple[str, Any, list[str]]] = [
    ("GetEligibility", pb.GetEligibilityRequest(), ["lead_id"]),
    ("ListCases", pb.ListCasesRequest(page_size=-1), ["page_size"]),
    ("ListCases", pb.ListCasesRequest(page_token="forged"), ["page_token"]),
    ("ListCases", pb.ListCasesRequest(state=99), ["state"]),
    ("GetRefundRules", pb.GetRefundRulesRequest(), ["account_id"]),
    (
        "UpdateRefundRules",
        pb.UpdateRefundRulesRequest(
            rules=pb.RefundRules(account_id="a", min_attempts=40, powered_off_calls=11)
        ),
        ["rules.min_attempts", "rules.powered_off_calls"],
    ),
    ("RequestRefund", pb.RequestRefundRequest(case_id="c"), ["request_id"]),
    (
        "RequestRefund",
        pb.RequestRefundRequest(
            case_id="c", request_id="r", amount=money_pb2.Money(currency_code="CNY", units=1, nanos=5_000_000)
        ),
        ["amount.nanos"],  # half a fen
    ),
    (
        "RequestRefund",
        pb.RequestRefundRequest(
            case_id="c", request_id="r", amount=money_pb2.Money(currency_code="yuan", units=1)
        ),
        ["amount.currency_code"],
    ),
    (
        "RequestRefund",
        pb.RequestRefundRequest(
            case_id="c",
            request_id="r",
            amount=money_pb2.Money(currency_code="CNY", units=1, nanos=-10_000_000),
        ),
        ["amount.nanos"],  # the sign of units
    ),
    ("GetRefund", pb.GetRefundRequest(), ["refund_id"]),
    ("ListRefunds", pb.ListRefundsRequest(reason=42), ["reason"]),
    ("GetStatement", pb.GetStatementRequest(account_id="a", year=2026, month=0), ["month"]),
    ("AppealCase", pb.AppealCaseRequest(case_id="c", request_id="r"), ["reason"]),
    ("ListAppeals", pb.ListAppealsRequest(account_id=" a"), ["account_id"]),
    ("DecideAppeal", pb.DecideAppealRequest(appeal_id="a", request_id="r"), ["decision"]),
    ("ListLedgerEntries", pb.ListLedgerEntriesRequest(page_token="x.y"), ["page_token"]),
]


@pytest.mark.parametrize(("method", "request_", "fields"), BAD, ids=[f"{m}-{'+'.join(f)}" for m, _, f in BAD])
async def test_bad_input_is_invalid_argument_naming_the_fields(
    refund: RefundClient, method: str, request_: Any, fields: list[str]
) -> None:
    error = await status_of(refund, method, request_, refund.auth(unique("tenant")))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error.details()
    assert [field for field, _ in field_violations_of(error)] == fields


async def _paid_case(refund: RefundClient, tenant: str) -> pb.Case:
    lead = unique("lead")
    refund.clock.set(at(2, 10, 10))
    await refund.publish(
        lead_accepted(tenant, lead, at(2, 10, 0)),
        call_completed(tenant, lead, "c1", at(2, 10, 5), CallOutcome.SUSPENDED),
    )

    def probe():  # type: ignore[no-untyped-def]
        return refund.stub.GetEligibility(
            pb.GetEligibilityRequest(lead_id=lead), metadata=refund.auth(tenant)
        )

    await refund.eventually(probe, lambda r: r.case.state == pb.CASE_STATE_ELIGIBLE)
    await refund.advance(timedelta(hours=6))
    return (await refund.eventually(probe, lambda r: r.case.state == pb.CASE_STATE_REFUNDED)).case


async def test_another_tenants_ids_are_not_found_and_refusals_carry_their_reasons(
    refund: RefundClient,
) -> None:
    tenant, other = unique("tenant"), unique("tenant")
    case = await _paid_case(refund, tenant)
    theirs = refund.auth(other)
    for method, request in [
        ("GetEligibility", pb.GetEligibilityRequest(lead_id=case.lead_id)),
        ("RequestRefund", pb.RequestRefundRequest(case_id=case.id, request_id="r1")),
        ("GetRefund", pb.GetRefundRequest(refund_id=case.refund_id)),
        ("AppealCase", pb.AppealCaseRequest(case_id=case.id, reason="x", request_id="a1")),
    ]:
        error = await status_of(refund, method, request, theirs)
        assert error.code() == grpc.StatusCode.NOT_FOUND, method
    assert (await refund.stub.ListCases(pb.ListCasesRequest(), metadata=theirs)).total_size == 0

    mine = refund.auth(tenant)
    again = await status_of(
        refund, "RequestRefund", pb.RequestRefundRequest(case_id=case.id, request_id="r1"), mine
    )
    assert again.code() == grpc.StatusCode.ALREADY_EXISTS
    info = error_info_of(again)
    assert info is not None and info.reason == "ALREADY_REFUNDED" and info.domain == "leadflow.io"
    not_appealable = await status_of(
        refund, "AppealCase", pb.AppealCaseRequest(case_id=case.id, reason="x", request_id="a1"), mine
    )
    assert not_appealable.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_info_of(not_appealable).reason == "CASE_NOT_APPEALABLE"  # type: ignore[union-attr]
    entries = (await refund.stub.ListLedgerEntries(pb.ListLedgerEntriesRequest(), metadata=mine)).entries
    assert len(entries) == 2  # the refusals changed nothing
