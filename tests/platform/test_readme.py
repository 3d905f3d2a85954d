"""The README's commands work as written: the token commands (run from the repository root they use the data
directory `make run` uses), the `up` and `import` command lines, and the FieldMask JSON of the `leadflow call` example
and of the proto comments."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from google.protobuf import json_format
from google.protobuf.json_format import ParseError

from leadflow.dedup.v1 import dedup_service_pb2
from leadflow.ingest.v1 import ingest_service_pb2
from services.cli.main import _parser
from services.common.auth import TokenCodec
from services.common.config import AuthSettings, Env

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def _leadflow_commands(subcommand: str) -> list[list[str]]:
    found = re.findall(rf"(?:^|\$\()\.venv/bin/leadflow ({subcommand}\b[^)`\n]*)", README, re.M)
    assert found, f"the README shows no `leadflow {subcommand}` command"
    # Shell variables the README sets just before (a token, the demo's tenant) stand for sample values.
    samples = {'"$TOKEN"': "token", '"$TENANT"': "demo-s1-sample"}
    expanded = []
    for command in found:
        for variable, sample in samples.items():
            command = command.replace(variable, sample)
        expanded.append(shlex.split(command.rstrip(" \\")))
    return expanded


def test_the_token_commands_run_from_the_repository_root_use_make_runs_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADFLOW_")}
    tokens, tenants = [], []
    for args in _leadflow_commands("token"):
        tenants.append(args[args.index("--tenant") + 1] if "--tenant" in args else "demo")
        done = subprocess.run(
            [sys.executable, "-m", "services.cli.main", *args],
            cwd=tmp_path,  # stands for the repository root
            env=env | {"PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        tokens.append(done.stdout.strip())
    data_dir = tmp_path / ".leadflow"  # `make run`'s default data directory, from the same directory
    codec = TokenCodec(AuthSettings.from_env(Env({}), data_dir))
    assert [codec.verify(t).tenant_id for t in tokens] == tenants


@pytest.mark.parametrize("subcommand", ["up", "import"])
def test_the_up_and_import_command_lines_parse(subcommand: str) -> None:
    for args in _leadflow_commands(subcommand):
        parsed = _parser().parse_args(args)
        assert parsed.command == subcommand


def test_the_field_mask_example_is_lower_camel_and_snake_case_is_refused() -> None:
    call = re.search(
        r"\.venv/bin/leadflow call (IngestService/UpdateIngestSettings) \\\n\s*'(\{.*?\})' --token", README
    )
    assert call is not None
    parsed = _parser().parse_args(["call", call.group(1), call.group(2), "--token", "t"])
    assert (parsed.method, parsed.json) == (call.group(1), call.group(2))
    body = call
    request = json_format.Parse(body.group(2), ingest_service_pb2.UpdateIngestSettingsRequest())
    assert list(request.update_mask.paths) == ["default_region"]
    with pytest.raises(ParseError, match="must not contain"):
        json_format.Parse(body.group(2).replace('defaultRegion"}', 'default_region"}'), request)


def test_the_push_rule_example_is_a_valid_rule_where_http_is_allowed_and_refused_where_not() -> None:
    from services.common.errors import ViolationCollector
    from services.ingest.converters.push import set_push_rule_command
    from services.ingest.domain.push import validate_rule_command

    call = re.search(r"\.venv/bin/leadflow call IngestService/SetPushRule '(\{.*?\})' --token", README, re.S)
    assert call is not None
    command = set_push_rule_command(json_format.Parse(call.group(1), ingest_service_pb2.SetPushRuleRequest()))
    allowed, refused = ViolationCollector(), ViolationCollector()
    validate_rule_command(command, allowed, allow_http=True, allow_private_networks=True, secret_stored=False)
    validate_rule_command(
        command, refused, allow_http=False, allow_private_networks=False, secret_stored=False
    )
    assert allowed.violations == []
    assert {v.field for v in refused.violations} == {"push_rule.endpoint_url"}


@pytest.mark.parametrize(
    ("proto", "message", "paths"),
    [
        (
            "ingest/v1/ingest_service.proto",
            ingest_service_pb2.UpdateIngestSettingsRequest,
            ["default_region"],
        ),
        (
            "dedup/v1/dedup_service.proto",
            dedup_service_pb2.UpdateDedupPolicyRequest,
            ["dimensions", "ip_window"],
        ),
    ],
)
def test_the_proto_comments_json_field_masks_parse(proto: str, message, paths: list[str]) -> None:
    text = (ROOT / "protos" / "leadflow" / proto).read_text()
    example = re.search(r'(\{"updateMask": "[^"]+"\})', text)
    assert example is not None
    assert list(json_format.Parse(example.group(1), message()).update_mask.paths) == paths


def test_every_relative_link_points_into_the_repository() -> None:
    links = [target for target in re.findall(r"\]\(([^)#]+)\)", README) if "://" not in target]
    assert "docs/architecture.md" in links
    assert [target for target in links if not (ROOT / target).exists()] == []


def _run_block(tmp_path: Path, heading: str, answers: dict[str, object]) -> list[tuple[str, str]]:
    """The first ```sh block under the README's ``heading``, run by bash with `leadflow` standing in as a recorder
    that prints ``answers[method]`` as JSON for the methods named there; returns each call's (method, request JSON)
    after checking that its command line parses as `leadflow call` with the token."""
    block = re.search(rf"### {re.escape(heading)}.*?```sh\n(.*?)```", README, re.S)
    assert block is not None, heading
    recorder = tmp_path / "leadflow"
    calls = tmp_path / "calls.jsonl"
    recorder.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"open({str(calls)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
        f"answers = {json.dumps(answers)!r}\n"
        "answer = json.loads(answers).get(sys.argv[2])\n"
        "if answer is not None:\n"
        "    print(json.dumps(answer))\n"
    )
    recorder.chmod(0o755)
    script = (
        block.group(1)
        .replace(".venv/bin/leadflow", str(recorder))
        .replace(".venv/bin/python", sys.executable)
    )
    done = subprocess.run(
        ["bash", "-e", "-c", script],
        env={"TOKEN": "token", "PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    recorded = []
    for line in calls.read_text().splitlines():
        command = _parser().parse_args(json.loads(line))
        assert (command.command, command.token) == ("call", "token")
        recorded.append((command.method, command.json))
    return recorded


def test_the_assignment_setup_runs_as_written_and_its_requests_parse(tmp_path: Path) -> None:
    """The "Assign leads to your agents" commands (CreateTeam answered with a team id): every call's command line
    parses, its JSON is its request, the agents join the team CreateTeam answered and the policy sends acct-1 round
    robin to it."""
    from leadflow.assign.v1 import assign_service_pb2 as pb

    recorded = _run_block(
        tmp_path, "Assign leads to your agents", {"AssignService/CreateTeam": {"team": {"id": "TEAM-ID"}}}
    )
    requests = {
        "AssignService/CreateTeam": pb.CreateTeamRequest,
        "AssignService/CreateAgent": pb.CreateAgentRequest,
        "AssignService/SetAssignmentPolicy": pb.SetAssignmentPolicyRequest,
    }
    parsed = [json_format.Parse(body, requests[method]()) for method, body in recorded]
    team, *agents, policy = parsed
    assert team.team.display_name == "Sales" and team.request_id
    assert [a.agent.team_id for a in agents] == ["TEAM-ID", "TEAM-ID"]
    assert len({a.request_id for a in agents}) == 2 and all(a.agent.phone.startswith("+86") for a in agents)
    assert policy.policy.account_id == "acct-1"
    assert [(r.team_id, r.method) for r in policy.policy.rules] == [
        ("TEAM-ID", pb.ASSIGNMENT_METHOD_ROUND_ROBIN)
    ]


def test_the_call_a_lead_commands_run_as_written_and_their_requests_parse(tmp_path: Path) -> None:
    """The "Call a lead" commands (ListAssignments answered with a lead, StartCall with a call): numbers added with
    a request id, callable hours all day under their field mask, StartCall of that lead, GetCall of that call."""
    from leadflow.assign.v1 import assign_service_pb2 as assign_pb
    from leadflow.telephony.v1 import telephony_service_pb2 as pb

    recorded = _run_block(
        tmp_path,
        "Call a lead",
        {
            "AssignService/ListAssignments": {"assignments": [{"leadId": "LEAD-ID"}]},
            "TelephonyService/StartCall": {"call": {"id": "CALL-ID"}},
        },
    )
    requests = {
        "TelephonyService/AddNumbers": pb.AddNumbersRequest,
        "TelephonyService/UpdateTelephonySettings": pb.UpdateTelephonySettingsRequest,
        "AssignService/ListAssignments": assign_pb.ListAssignmentsRequest,
        "TelephonyService/StartCall": pb.StartCallRequest,
        "TelephonyService/GetCall": pb.GetCallRequest,
    }
    assert [method for method, _ in recorded] == list(requests)
    numbers, settings, listed, start, get = (
        json_format.Parse(body, requests[method]()) for method, body in recorded
    )
    assert len(numbers.numbers) == 2 and numbers.request_id
    assert all(n.phone_number.startswith("+86") for n in numbers.numbers)
    hours = settings.settings.callable_hours
    assert (hours.start.hours, hours.end.hours) == (0, 24)
    assert list(settings.update_mask.paths) == ["callable_hours"]
    assert listed.account_id == "acct-1"
    assert (start.lead_id, start.request_id) == ("LEAD-ID", "call-LEAD-ID")
    assert get.call_id == "CALL-ID"
