"""The README's demo section works as written: its `leadflow demo` and `up --then-demo` command lines parse, and
every grpcurl command names a method of the service behind its port, with a request body that is valid proto3 JSON
of that method's request and a jq path that exists in its answer (as grpcurl prints it: the protos' field names)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from google.protobuf import descriptor_pool, json_format, message_factory
from google.protobuf.descriptor import Descriptor

import leadflow.assign.v1.assign_service_pb2
import leadflow.dedup.v1.dedup_service_pb2
import leadflow.ingest.v1.ingest_service_pb2
import leadflow.refund.v1.refund_service_pb2
import leadflow.telephony.v1.telephony_service_pb2  # noqa: F401 - registers the services in the pool
from services.cli.main import _parser
from services.common.config import DEFAULT_GRPC_PORTS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
SECTION = README[README.index("## The demo") : README.index("## Import leads from a file")]
GRPCURL = re.compile(
    r"grpcurl -plaintext -H \"\$H\" -d (?P<body>'[^']*'|\"\$BY_LEAD\") \\?\s*"
    r"127\.0\.0\.1:(?P<port>\d+) (?P<service>[\w.]+)/(?P<method>\w+)(?P<rest>[^\n]*)"
)
BY_LEAD = '{"leadId": "01HZX3Q9S7M2K8D4F6G1B5N0PA"}'  # what `jq -nc --arg id "$LEAD" '{leadId: $id}'` gives


def _calls() -> list[re.Match[str]]:
    found = list(GRPCURL.finditer(SECTION))
    assert len(found) >= 8, "the README's lead story shows fewer grpcurl commands than expected"
    return found


def test_the_demo_command_lines_parse() -> None:
    lines = re.findall(r"^\.venv/bin/leadflow ((?:demo|up)\b[^#\n]*)", SECTION + README, re.M)
    demos = [shlex.split(line) for line in lines if line.startswith("demo")]
    assert len(demos) >= 2
    for args in demos:
        parsed = _parser().parse_args(args)
        assert parsed.command == "demo" and parsed.leads > 0
    make_run = re.search(
        r"leadflow up --dev-clock --then-demo=\"([^\"]*)\"",
        (Path(__file__).resolve().parents[2] / "Makefile").read_text(),
    )
    assert make_run is not None
    parsed = _parser().parse_args(["up", "--dev-clock", f"--then-demo={make_run.group(1)}"])
    assert shlex.split(parsed.then_demo) == ["--accelerate", "$(DEMO_ARGS)"]


@pytest.mark.parametrize("index", range(9))
def test_each_grpcurl_command_calls_a_real_method_with_a_valid_body(index: int) -> None:
    calls = _calls()
    if index >= len(calls):
        pytest.skip("fewer commands")  # pragma: no cover
    call = calls[index]
    pool = descriptor_pool.Default()
    service = pool.FindServiceByName(call["service"])
    owner = next(name for name, port in DEFAULT_GRPC_PORTS.items() if port == int(call["port"]))
    assert service.full_name == f"leadflow.{owner}.v1.{owner.capitalize()}Service"
    method = service.FindMethodByName(call["method"])
    assert method is not None
    body = BY_LEAD if call["body"] == '"$BY_LEAD"' else call["body"].strip("'")
    request = json_format.Parse(body, message_factory.GetMessageClass(method.input_type)())
    assert request.ListFields(), body
    jq = re.search(r"jq -r '\.(\w+)\[0\]\.(\w+)'", call["rest"])
    if jq:
        items = method.output_type.fields_by_name[jq.group(1)]
        assert isinstance(items.message_type, Descriptor)
        assert jq.group(2) in items.message_type.fields_by_name


def test_the_lead_story_covers_submissions_assignment_calls_and_eligibility() -> None:
    methods = {call["method"] for call in _calls()}
    assert {"GetLead", "ListLeadSubmissions", "ListAssignments", "ListCalls", "GetEligibility"} <= methods
