"""Tracing: with the standard OTEL_* variables set, the five services (each its own process) export their spans over
OTLP/gRPC to a collector, and one SubmitLead makes one trace: ingest's SERVER span, its CLIENT span to dedup, dedup's
SERVER span, and a CONSUMER span in every service that handles the events that follow (lead.accepted in assign,
telephony, refund and ingest's push consumer; lead.assigned back in ingest and telephony). Without the variables the
SDK is never loaded."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from concurrent import futures
from contextlib import ExitStack
from pathlib import Path

import grpc
import pytest
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

from leadflow.ingest.v1 import ingest_service_pb2_grpc
from services.common import telemetry
from services.common.config import SERVICES
from tests.harness import TokenMinter
from tests.ingest.helpers import lead_request
from tests.platform.helpers import service_env, start_service, wait_serving

pytestmark = pytest.mark.timeout(180)

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
ROOT_SPAN = "00f067aa0ba902b7"


class Collector(trace_service_pb2_grpc.TraceServiceServicer):
    """An OTLP/gRPC trace receiver: keeps every span with the service.name of its resource."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, object]] = []
        self._lock = threading.Lock()

    def Export(self, request, context):  # type: ignore[no-untyped-def]  # noqa: N802 - the OTLP method name
        with self._lock:
            for resource_spans in request.resource_spans:
                service = next(
                    (
                        a.value.string_value
                        for a in resource_spans.resource.attributes
                        if a.key == "service.name"
                    ),
                    "",
                )
                for scope in resource_spans.scope_spans:
                    self.spans.extend((service, span) for span in scope.spans)
        return trace_service_pb2.ExportTraceServiceResponse()

    def of_trace(self, trace_id: str) -> list[tuple[str, object]]:
        with self._lock:
            return [(s, span) for s, span in self.spans if span.trace_id.hex() == trace_id]


def _names(spans) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return {(service, span.name) for service, span in spans}


EXPECTED = {
    ("leadflow-ingest", "leadflow.ingest.v1.IngestService/SubmitLead"),
    ("leadflow-ingest", "leadflow.dedup.v1.DedupService/ClaimLead"),
    ("leadflow-dedup", "leadflow.dedup.v1.DedupService/ClaimLead"),
    ("leadflow-assign", "leadflow.lead.v1.accepted process"),
    ("leadflow-telephony", "leadflow.lead.v1.accepted process"),
    ("leadflow-refund", "leadflow.lead.v1.accepted process"),
    ("leadflow-ingest", "leadflow.lead.v1.assigned process"),
    ("leadflow-telephony", "leadflow.lead.v1.assigned process"),
}


@pytest.mark.slow  # processes of their own: `make test-slow`
def test_one_submit_lead_is_one_trace_across_the_five_services(tmp_path: Path, nats_server) -> None:
    collector = Collector()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(collector, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    otel = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{port}",
        "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
        "OTEL_BSP_SCHEDULE_DELAY": "200",
    }
    with ExitStack() as stack:
        stack.callback(server.stop, None)
        envs = {s: service_env(s, tmp_path / "data", nats_server.url, **otel) for s in SERVICES}
        envs["ingest"]["LEADFLOW_INGEST_DEDUP_ADDRESS"] = (
            f"127.0.0.1:{envs['dedup']['LEADFLOW_DEDUP_GRPC_PORT']}"
        )
        processes = {s: start_service(s, envs[s], tmp_path / f"{s}.log") for s in SERVICES}
        for process in processes.values():
            stack.callback(_stop, process.process)
        for process in processes.values():
            wait_serving(process, timeout=60)
        token = TokenMinter(envs["ingest"]).token("trace-tenant", "admin")
        _designate_an_agent(
            processes["assign"].address, token
        )  # so that assign assigns and the trace goes on
        request = lead_request()
        with grpc.insecure_channel(processes["ingest"].address) as channel:
            reply = ingest_service_pb2_grpc.IngestServiceStub(channel).SubmitLead(
                request,
                metadata=[
                    ("authorization", f"Bearer {token}"),
                    ("traceparent", f"00-{TRACE_ID}-{ROOT_SPAN}-01"),
                ],
                timeout=15,
            )
        assert reply.lead.id
        deadline = time.monotonic() + 60
        while not EXPECTED <= _names(collector.of_trace(TRACE_ID)):
            missing = EXPECTED - _names(collector.of_trace(TRACE_ID))
            assert time.monotonic() < deadline, f"spans never exported: {sorted(missing)}"
            time.sleep(0.2)
        spans = collector.of_trace(TRACE_ID)
        # A tree: every span's parent is the caller's span or another span of the trace.
        ids = {span.span_id.hex() for _, span in spans} | {ROOT_SPAN}
        assert all(span.parent_span_id.hex() in ids for _, span in spans)
        by_name = {(service, span.name): span for service, span in spans}
        submit = by_name[("leadflow-ingest", "leadflow.ingest.v1.IngestService/SubmitLead")]
        client = by_name[("leadflow-ingest", "leadflow.dedup.v1.DedupService/ClaimLead")]
        claimed = by_name[("leadflow-dedup", "leadflow.dedup.v1.DedupService/ClaimLead")]
        assert submit.parent_span_id.hex() == ROOT_SPAN and submit.kind == submit.SPAN_KIND_SERVER
        assert client.parent_span_id == submit.span_id and client.kind == client.SPAN_KIND_CLIENT
        assert claimed.parent_span_id == client.span_id and claimed.kind == claimed.SPAN_KIND_SERVER
        assigned = by_name[("leadflow-assign", "leadflow.lead.v1.accepted process")]
        assert assigned.parent_span_id == submit.span_id and assigned.kind == assigned.SPAN_KIND_CONSUMER
        back = by_name[("leadflow-ingest", "leadflow.lead.v1.assigned process")]
        assert back.parent_span_id == assigned.span_id  # assign's event continues its consumer's span
        attributes = {a.key: a.value.string_value for a in submit.attributes}
        assert attributes["rpc.method"] == "SubmitLead" and attributes["rpc.system"] == "grpc"
        # No span name or attribute carries the lead's phone.
        phone = request.phone[-8:]
        for _, span in spans:
            assert phone not in span.name and all(phone not in str(a.value) for a in span.attributes)


def _designate_an_agent(address: str, token: str) -> None:
    from leadflow.assign.v1 import assign_service_pb2 as pb
    from leadflow.assign.v1 import assign_service_pb2_grpc

    md = [("authorization", f"Bearer {token}")]
    with grpc.insecure_channel(address) as channel:
        stub = assign_service_pb2_grpc.AssignServiceStub(channel)
        team = stub.CreateTeam(
            pb.CreateTeamRequest(team=pb.Team(display_name="Sales"), request_id="t1"), metadata=md, timeout=15
        ).team
        agent = stub.CreateAgent(
            pb.CreateAgentRequest(
                agent=pb.Agent(team_id=team.id, display_name="Li", user_id="li"), request_id="a1"
            ),
            metadata=md,
            timeout=15,
        ).agent
        rule = pb.AssignmentRule(id="d", method=pb.ASSIGNMENT_METHOD_DESIGNATED, agent_id=agent.id)
        stub.SetAssignmentPolicy(
            pb.SetAssignmentPolicyRequest(policy=pb.AssignmentPolicy(account_id="acct-1", rules=[rule])),
            metadata=md,
            timeout=15,
        )


def _stop(process: subprocess.Popen) -> None:  # type: ignore[type-arg]
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.mark.parametrize(
    ("environ", "on"),
    [
        ({}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_SDK_DISABLED": "true"}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_TRACES_EXPORTER": "none"}, False),
    ],
)
def test_the_otel_variables_turn_tracing_on(environ: dict[str, str], on: bool) -> None:
    assert telemetry.wanted(environ) is on


def test_without_the_variables_a_service_never_loads_the_sdk(tmp_path: Path) -> None:
    """Importing and building a service with no OTEL_* variables leaves opentelemetry.sdk unimported."""
    code = (
        "import sys\n"
        "from services.common import telemetry\n"
        "from services.ingest import bootstrap\n"
        "assert telemetry.configure('ingest', {}) is False\n"
        "assert not [m for m in sys.modules if m.startswith('opentelemetry.sdk')], 'sdk loaded'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
