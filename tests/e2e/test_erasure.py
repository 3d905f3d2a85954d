"""Erasure end to end (issue 13 item 6), on the five services as Kubernetes runs them (each its own process, its own
NATS user with the generated permissions, SQLite files): a lead is submitted, assigned, called and ended; the person
submits again while EraseLead runs; EraseLead is repeated. Then, once every service has consumed ``lead.erased`` and
the processes have stopped, no file of the run (every service's database, the JetStream store, the logs) holds the
person's phone number in any common form. Sealed values on the bus are ciphertext and do not count.

The race rule checked here (proto: IngestService.EraseLead): a submission of the same person racing the erasure is
either attached to the erased lead and erased with it, or, when dedup had already forgotten the lead, a NEW lead,
which the operator erases as well (docs/runbooks/ErasureRequest.md)."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import grpc
import pytest
from google.protobuf import field_mask_pb2

from leadflow.assign.v1 import assign_service_pb2 as assign_pb
from leadflow.assign.v1 import assign_service_pb2_grpc
from leadflow.common.v1 import lead_pb2, schedule_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as ingest_pb
from leadflow.ingest.v1 import ingest_service_pb2_grpc
from leadflow.telephony.v1 import telephony_service_pb2 as tel_pb
from leadflow.telephony.v1 import telephony_service_pb2_grpc
from services.common.auth import Role, TokenCodec
from services.common.config import AuthSettings, Env
from tests.common.personal_data import mobile_forms, scan_tree
from tests.deploy.stack import Stack, running_stack
from tests.platform.helpers import TEST_JWT_KEY

pytestmark = pytest.mark.slow

T = TypeVar("T")
TENANT = "tenant-erasure"
ERASED = "13800138000"  # the person who asks to be forgotten
KEPT = "13912345678"  # someone else: the scan's positive control
ERASED_CONSUMERS = ("dedup-lead-erased", "assign-lead-erased", "telephony-lead-erased", "refund-lead-erased")


class Clients:
    def __init__(self, stack: Stack, tmp: Path) -> None:
        self._codec = TokenCodec(AuthSettings.from_env(Env({"LEADFLOW_JWT_HS256_KEY": TEST_JWT_KEY}), tmp))
        self._channels = {name: grpc.insecure_channel(p.address) for name, p in stack.services.items()}
        self.ingest = ingest_service_pb2_grpc.IngestServiceStub(self._channels["ingest"])
        self.assign = assign_service_pb2_grpc.AssignServiceStub(self._channels["assign"])
        self.telephony = telephony_service_pb2_grpc.TelephonyServiceStub(self._channels["telephony"])

    def md(self, role: Role = Role.ADMIN, subject: str = "privacy-officer") -> tuple[tuple[str, str], ...]:
        return (("authorization", "Bearer " + self._codec.mint(tenant=TENANT, role=role, subject=subject)),)

    def close(self) -> None:
        for channel in self._channels.values():
            channel.close()


def eventually(what: str, attempt: Callable[[], T | None], timeout: float = 60.0) -> T:
    """The first non-None result of ``attempt`` (RpcErrors count as None), within ``timeout``."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            result = attempt()
        except grpc.RpcError as error:
            last = error
            result = None
        if result is not None:
            return result
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen in {timeout}s (last: {last})")


def submit(clients: Clients, phone: str, name: str) -> ingest_pb.SubmitLeadResponse:
    request = ingest_pb.SubmitLeadRequest(
        account_id="acct-1",
        channel=lead_pb2.CHANNEL_FORM,
        traffic_source=lead_pb2.TRAFFIC_SOURCE_AD_DIRECT,
        business_source=lead_pb2.BUSINESS_SOURCE_LANDING_PAGE,
        request_id=uuid.uuid4().hex,
        name=name,
        phone=phone,
        wechat="zhangsan_wx88" if phone == ERASED else "",
        attributes={"remark": f"请晚上打 {phone}"},
        consent=ingest_pb.Consent(contact=True),
    )
    return clients.ingest.SubmitLead(request, metadata=clients.md(Role.SERVICE, "ad-platform"), timeout=10)


def set_up_the_tenant(clients: Clients) -> str:
    """A team with one agent every lead of acct-1 goes to, a masked number, calls allowed all day; the agent id."""
    team = clients.assign.CreateTeam(
        assign_pb.CreateTeamRequest(team=assign_pb.Team(display_name="Sales"), request_id="team-1"),
        metadata=clients.md(),
    ).team
    agent = clients.assign.CreateAgent(
        assign_pb.CreateAgentRequest(
            agent=assign_pb.Agent(
                team_id=team.id, display_name="Agent", user_id="agent-1", phone="+8613711112222"
            ),
            request_id="agent-1",
        ),
        metadata=clients.md(),
    ).agent
    rule = assign_pb.AssignmentRule(id="d", method=assign_pb.ASSIGNMENT_METHOD_DESIGNATED, agent_id=agent.id)
    clients.assign.SetAssignmentPolicy(
        assign_pb.SetAssignmentPolicyRequest(
            policy=assign_pb.AssignmentPolicy(account_id="acct-1", rules=[rule])
        ),
        metadata=clients.md(),
    )
    all_day = schedule_pb2.DailyWindow(
        start=schedule_pb2.TimeOfDay(hours=0), end=schedule_pb2.TimeOfDay(hours=24)
    )
    clients.telephony.UpdateTelephonySettings(
        tel_pb.UpdateTelephonySettingsRequest(
            settings=tel_pb.TelephonySettings(callable_hours=all_day),
            update_mask=field_mask_pb2.FieldMask(paths=["callable_hours"]),
        ),
        metadata=clients.md(),
    )
    clients.telephony.AddNumbers(
        tel_pb.AddNumbersRequest(
            numbers=[tel_pb.MaskedNumber(phone_number="+8617100000501")], request_id="numbers-1"
        ),
        metadata=clients.md(),
    )
    return agent.id


def assigned_and_called(clients: Clients, lead_id: str, agent_id: str) -> None:
    def active_assignment() -> assign_pb.Assignment | None:
        found = clients.assign.ListAssignments(
            assign_pb.ListAssignmentsRequest(lead_id=lead_id), metadata=clients.md()
        ).assignments
        return found[0] if found else None

    assert eventually("the assignment", active_assignment).agent_id == agent_id
    started = eventually(
        "StartCall",
        lambda: clients.telephony.StartCall(
            tel_pb.StartCallRequest(lead_id=lead_id, agent_id=agent_id, request_id=f"call-{lead_id}"),
            metadata=clients.md(),
        ),
    )
    clients.telephony.EndCall(tel_pb.EndCallRequest(call_id=started.call.id), metadata=clients.md())


def consumed_everywhere(data: Path, event_count: int) -> bool:
    """Every consumer of lead.erased has recorded ``event_count`` events, and telephony has nothing left to unbind."""
    for service, consumer in zip(("dedup", "assign", "telephony", "refund"), ERASED_CONSUMERS, strict=True):
        with sqlite3.connect(f"file:{data / (service + '.db')}?mode=ro", uri=True) as db:
            seen = db.execute("SELECT count(*) FROM inbox WHERE consumer = ?", (consumer,)).fetchone()[0]
        if seen < event_count:
            return False
    with sqlite3.connect(f"file:{data / 'telephony.db'}?mode=ro", uri=True) as db:
        return db.execute("SELECT count(*) FROM telephony_bindings WHERE unbind_pending").fetchone()[0] == 0


def test_an_erased_person_leaves_no_phone_number_in_any_file(tmp_path: Path) -> None:
    with running_stack(tmp_path) as stack:
        clients = Clients(stack, tmp_path)
        try:
            agent_id = set_up_the_tenant(clients)
            lead = submit(clients, ERASED, "张三丰").lead
            other = submit(clients, KEPT, "李四").lead
            for lead_id in (lead.id, other.id):
                assigned_and_called(clients, lead_id, agent_id)

            # The person submits again while the erasure runs.
            with ThreadPoolExecutor(2) as pool:
                racing = pool.submit(submit, clients, ERASED, "张三丰")
                erased = pool.submit(
                    clients.ingest.EraseLead,
                    ingest_pb.EraseLeadRequest(lead_id=lead.id),
                    metadata=clients.md(),
                ).result()
                raced = racing.result()
            assert erased.lead.phone == "" and erased.lead.HasField("erase_time")
            erase_events = 1
            if raced.lead.id == lead.id:  # matched before dedup forgot: attached to the erased lead, erased
                assert raced.verdict == lead_pb2.LEAD_VERDICT_DUPLICATE
            else:  # dedup had forgotten: a new lead of the person, which the operator erases too
                assert raced.verdict == lead_pb2.LEAD_VERDICT_NEW and raced.lead.phone == "+86" + ERASED
                clients.ingest.EraseLead(
                    ingest_pb.EraseLeadRequest(lead_id=raced.lead.id), metadata=clients.md()
                )
                erase_events = 2
            again = clients.ingest.EraseLead(
                ingest_pb.EraseLeadRequest(lead_id=lead.id), metadata=clients.md()
            )
            assert again.lead.erase_time == erased.lead.erase_time  # repeated: nothing changes
            read = clients.ingest.GetLead(
                ingest_pb.GetLeadRequest(lead_id=lead.id), metadata=clients.md()
            ).lead
            assert (read.phone, read.name, read.wechat) == ("", "", "")
            with pytest.raises(grpc.RpcError) as refused:
                clients.telephony.StartCall(
                    tel_pb.StartCallRequest(lead_id=lead.id, agent_id=agent_id, request_id="after"),
                    metadata=clients.md(),
                )
            assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION  # type: ignore[attr-defined]

            eventually(
                "lead.erased consumed by every service",
                lambda: consumed_everywhere(tmp_path / "data", erase_events) or None,
            )
        finally:
            clients.close()
        for (
            process
        ) in stack.services.values():  # a clean stop: each SQLite file is checkpointed, its WAL removed
            process.process.terminate()
        for process in stack.services.values():
            assert process.process.wait(timeout=60) == 0, process.log()

        values = [*mobile_forms(ERASED), "zhangsan_wx88"]
        found = scan_tree(tmp_path, values)
        assert found == {}, f"the erased person is still in {sorted(found)}"
        kept = scan_tree(tmp_path, mobile_forms(KEPT))
        assert "data/ingest.db" in kept and "data/telephony.db" in kept  # the scan does find what is kept
