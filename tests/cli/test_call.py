"""`leadflow call`: one unary RPC against a running service (refund, in this process on a real nats-server), the
request and the answer in proto3 JSON; the service's errors named field by field; requests it cannot send refused
before any call."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from services.common.auth import Role
from tests.harness import TokenMinter, service_environ, start_service

pytestmark = pytest.mark.timeout(120)


def _call(*args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "services.cli.main", "call", *args]
    if token:
        command += ["--token", token]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


async def test_a_call_answers_in_json_and_errors_name_their_fields(tmp_path: Path, nats_server) -> None:  # type: ignore[no-untyped-def]
    env = service_environ("refund", tmp_path, nats_server.url)
    running = await start_service("refund", env)
    try:
        address = f"127.0.0.1:{running.port}"
        token = TokenMinter(env).token("call-tenant", Role.ADMIN)
        rules = await asyncio.to_thread(
            _call,
            "leadflow.refund.v1.RefundService/GetRefundRules",
            '{"accountId": "acct-1"}',
            "--address",
            address,
            token=token,
        )
        assert rules.returncode == 0, rules.stderr
        answer = json.loads(rules.stdout)
        assert (
            answer["rules"]["accountId"] == "acct-1"
        )  # lowerCamelCase, as the proto3 JSON mapping writes it

        missing = await asyncio.to_thread(
            _call, "RefundService/GetEligibility", "{}", "--address", address, token=token
        )
        assert missing.returncode == 1
        assert missing.stderr.startswith("INVALID_ARGUMENT")
        assert "lead_id" in missing.stderr  # the field violation, on a line of its own

        # The reason and its details (ErrorInfo metadata), each on a line of its own.
        unknown = await asyncio.to_thread(
            _call, "RefundService/GetRefund", '{"refundId": "01NOSUCHREFUND000000000000"}', "--address", address,
            token=token,
        )  # fmt: skip
        assert unknown.returncode == 1 and unknown.stderr.startswith("NOT_FOUND")
        assert "  refund_id: 01NOSUCHREFUND000000000000" in unknown.stderr.splitlines()

        # A reader that has gone (`| head` done reading) ends the output, not the command with a traceback.
        def reader_gone() -> tuple[int, str]:
            command = [sys.executable, "-m", "services.cli.main", "call", "RefundService/GetRefundRules"]
            command += ['{"accountId": "acct-1"}', "--address", address, "--token", token]
            child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            assert child.stdout is not None
            child.stdout.close()  # long before the child, still importing, writes its answer
            _out, err = child.communicate(timeout=60)
            return child.returncode, err

        code, err = await asyncio.to_thread(reader_gone)
        assert (code, "Traceback" in err) == (0, False), err

        unauthenticated = await asyncio.to_thread(
            _call, "RefundService/GetEligibility", '{"leadId": "x"}', "--address", address
        )
        assert unauthenticated.returncode == 1 and unauthenticated.stderr.startswith("UNAUTHENTICATED")
    finally:
        await running.stop()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["Nope/GetLead"], "no service 'Nope'"),
        (["RefundService/Nope"], "has no method 'Nope'"),
        (["IngestService/ImportLeads"], "streams"),
        (["RefundService/GetEligibility", '{"leadid": "x"}'], "does not fit"),
        (["RefundService/GetEligibility", "{not json"], "does not fit"),
        # The request after an option (grpcurl's order) is the request all the same.
        (["RefundService/GetEligibility", "--timeout", "5", '{"leadid": "x"}'], "does not fit"),
    ],
)
def test_a_request_it_cannot_send_is_refused_before_any_call(args: list[str], says: str) -> None:
    refused = _call(*args, "--address", "127.0.0.1:1")
    assert refused.returncode == 2
    assert says in refused.stderr and "Traceback" not in refused.stderr


def test_the_request_json_may_follow_the_options_and_nothing_else_may() -> None:
    from services.cli.main import _parse

    before = _parse(["call", "RefundService/GetEligibility", '{"leadId": "x"}', "--token", "t"])
    after = _parse(["call", "RefundService/GetEligibility", "--token", "t", '{"leadId": "x"}'])
    assert (before.json, before.token) == (after.json, after.token) == ('{"leadId": "x"}', "t")
    assert _parse(["call", "RefundService/GetEligibility"]).json == "{}"
    for extra in (
        ["call", "M", "{}", "--token", "t", "{}"],
        ["call", "M", "--token", "t", "{}", "{}"],
        ["call", "M", "--token", "t", "--nope"],
        ["down", "x"],
    ):
        with pytest.raises(SystemExit):
            _parse(extra)
