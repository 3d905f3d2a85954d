"""The README's demo section works as written: its `leadflow demo` and `up --then-demo` command lines parse, and
every `leadflow call` of the lead's story names a unary method (``services.cli.call.resolve``), with a request body
that is valid proto3 JSON of that method's request and a jq path that exists in its answer (as `leadflow call`
prints it: the proto3 JSON mapping's lowerCamelCase names)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from google.protobuf.descriptor import Descriptor

from services.cli.call import request_message, resolve
from services.cli.main import _parser

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
SECTION = README[README.index("## The demo") : README.index("## Import leads from a file")]
CALL = re.compile(
    r"\$CALL (?P<service>[\w.]+)/(?P<method>\w+) (?P<body>'[^']*'|\"\$BY_LEAD\")(?P<rest>[^\n]*(?:\n  [^\n]*)?)"
)
BY_LEAD = '{"leadId": "01HZX3Q9S7M2K8D4F6G1B5N0PA"}'  # what `jq -nc --arg id "$LEAD" '{leadId: $id}'` gives


def _calls() -> list[re.Match[str]]:
    found = list(CALL.finditer(SECTION))
    assert len(found) >= 8, "the README's lead story shows fewer `leadflow call` commands than expected"
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
def test_each_call_names_a_real_method_with_a_valid_body(index: int) -> None:
    calls = _calls()
    if index >= len(calls):
        pytest.skip("fewer commands")  # pragma: no cover
    call = calls[index]
    target = resolve(f"{call['service']}/{call['method']}")
    body = BY_LEAD if call["body"] == '"$BY_LEAD"' else call["body"].strip("'")
    request = request_message(target, body)
    assert request.ListFields(), body
    jq = re.search(r"jq -r '\.(\w+)\[0\]\.(\w+)'", call["rest"])
    if jq:
        output = target.method.output_type
        items = next(f for f in output.fields if f.json_name == jq.group(1))
        assert isinstance(items.message_type, Descriptor)
        assert jq.group(2) in {f.json_name for f in items.message_type.fields}


def test_the_lead_story_covers_submissions_assignment_calls_and_eligibility() -> None:
    methods = {call["method"] for call in _calls()}
    assert {"GetLead", "ListLeadSubmissions", "ListAssignments", "ListCalls", "GetEligibility"} <= methods
