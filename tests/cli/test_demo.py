"""`leadflow demo` against a real stack (`leadflow up --dev-clock` on free ports): the day runs through the five
services, its final table agrees with what the services' APIs say, the same seed submits the same leads, and
refunds are paid once the dev clock has carried the 24 h windows and the 6 h settling past.

One stack serves the module: `up --then-demo` runs the first demo (the `make run` path), a second run with the same
seed goes to another tenant, so the two can be compared lead by lead.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import grpc
import pytest

from leadflow.ingest.v1 import ingest_service_pb2 as ingest_pb
from leadflow.ingest.v1 import ingest_service_pb2_grpc
from leadflow.refund.v1 import refund_service_pb2 as refund_pb
from leadflow.refund.v1 import refund_service_pb2_grpc
from leadflow.telephony.v1 import telephony_service_pb2 as telephony_pb
from leadflow.telephony.v1 import telephony_service_pb2_grpc
from services.cli.demo import cast
from services.cli.demo.plan import plan_day
from services.cli.ports import any_free_ports
from services.common.auth import TokenCodec
from services.common.config import SERVICES, AuthSettings, Env
from services.common.netutil import free_port
from tests.platform.test_stack import Stack

pytestmark = pytest.mark.slow  # processes of their own: `make test-slow`

SEED = 3
LEADS = 24
DEMO_ARGS = ["--accelerate", "--seed", str(SEED), "--leads", str(LEADS), "--day-seconds", "3", "--no-live"]
DEMO_ARGS += ["--settle-seconds", "40"]


@dataclass
class DemoStack:
    stack: Stack
    data_dir: Path
    ports: dict[str, int]
    nats_url: str
    first_output: str

    def token(self, tenant: str) -> str:
        codec = TokenCodec(AuthSettings.from_env(Env({}), self.data_dir))
        return codec.mint(tenant=tenant, role="admin", subject="test")

    def channel(self, service: str) -> grpc.Channel:
        return grpc.insecure_channel(f"127.0.0.1:{self.ports[service]}")

    def demo(self, *args: str) -> subprocess.CompletedProcess[str]:
        ports = [f"--grpc-port={name}={port}" for name, port in self.ports.items()]
        env = dict(os.environ, LEADFLOW_DATA_DIR=str(self.data_dir), COLUMNS="140")
        return subprocess.run(
            [sys.executable, "-m", "services.cli.main", "demo", *ports, f"--nats-url={self.nats_url}", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )


@pytest.fixture(scope="module")
def demo_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoStack]:
    data_dir = tmp_path_factory.mktemp("demo") / "stack"
    env = dict(os.environ, COLUMNS="140") | any_free_ports()
    env.pop("LEADFLOW_JWT_HS256_KEY", None)
    nats_url = f"nats://127.0.0.1:{free_port()}"
    then = " ".join([*DEMO_ARGS, "--tenant", "first"])
    stack = Stack(data_dir, env=env, args=["--dev-clock", "--nats-url", nats_url, f"--then-demo={then}"])
    try:
        stack.wait_for(r"SERVING after")
        table = "".join(stack.output)
        ports = {
            name: int(re.search(rf"^{name}\s+127\.0\.0\.1:(\d+)", table, re.M).group(1))  # type: ignore[union-attr]
            for name in SERVICES
        }
        finished = stack.wait_for(r"leadflow demo finished \(exit status (\d+)\)", timeout=240)
        output = "".join(stack.output)
        assert finished.group(1) == "0", output
        yield DemoStack(stack, data_dir, ports, nats_url, output)
    finally:
        assert stack.stop() == 0, "".join(stack.output)


def _submissions(demo_stack: DemoStack, tenant: str) -> list[ingest_pb.Submission]:
    metadata = [("authorization", f"Bearer {demo_stack.token(tenant)}")]
    found = []
    with demo_stack.channel("ingest") as channel:
        ingest = ingest_service_pb2_grpc.IngestServiceStub(channel)
        for account in cast.ACCOUNTS:
            request = ingest_pb.ListLeadSubmissionsRequest(account_id=account, page_size=1000)
            found += ingest.ListLeadSubmissions(request, metadata=metadata, timeout=10).submissions
    return found


def _figure(output: str, label: str) -> tuple[str, str]:
    """The services' and the demo's cells of a row of the final table."""
    match = re.search(rf"│ {re.escape(label)}\s+│\s+([^│]*?)\s+│\s+([^│]*?)\s+│", output)
    assert match, f"no row {label!r} in:\n{output}"
    return match.group(1), match.group(2)


def test_the_first_run_from_up_then_demo_agrees_with_the_services(demo_stack: DemoStack) -> None:
    output = demo_stack.first_output
    assert "The demo's own counts and the services' agree" in output, output
    history = len(plan_day(SEED, LEADS).history)
    assert len(_submissions(demo_stack, "first")) == LEADS + history
    assert _figure(output, "submitted") == (str(LEADS), str(LEADS))
    metadata = [("authorization", f"Bearer {demo_stack.token('first')}")]
    with demo_stack.channel("telephony") as channel:
        calls = telephony_service_pb2_grpc.TelephonyServiceStub(channel).ListCalls(
            telephony_pb.ListCallsRequest(page_size=1000), metadata=metadata, timeout=10
        )
    assert _figure(output, "calls started") == (str(len(calls.calls)), str(len(calls.calls)))
    assert calls.calls and all(c.state == telephony_pb.CALL_STATE_ENDED for c in calls.calls)


def test_refunds_are_paid_after_the_clock_passes_the_windows_and_the_ledger_balances(
    demo_stack: DemoStack,
) -> None:
    metadata = [("authorization", f"Bearer {demo_stack.token('first')}")]
    with demo_stack.channel("refund") as channel:
        refund = refund_service_pb2_grpc.RefundServiceStub(channel)
        refunds = refund.ListRefunds(
            refund_pb.ListRefundsRequest(page_size=1000), metadata=metadata, timeout=10
        )
        entries = refund.ListLedgerEntries(
            refund_pb.ListLedgerEntriesRequest(page_size=1000), metadata=metadata, timeout=10
        )
    assert refunds.refunds, "no refund was paid"
    assert len(entries.entries) == 2 * len(refunds.refunds)
    debits = sum(
        e.amount.units * 100 + e.amount.nanos // 10_000_000 for e in entries.entries if e.direction == 1
    )
    credits = sum(
        e.amount.units * 100 + e.amount.nanos // 10_000_000 for e in entries.entries if e.direction == 2
    )
    assert debits == credits > 0
    paid = sum(r.amount.units * 100 + r.amount.nanos // 10_000_000 for r in refunds.refunds)
    services, _ = _figure(demo_stack.first_output, "refunds paid, total")
    assert services.split()[0] == str(len(refunds.refunds))
    assert services.split()[1] == f"¥{paid / 100:,.2f}"
    assert "(balanced)" in demo_stack.first_output


def test_the_same_seed_submits_the_same_leads(demo_stack: DemoStack) -> None:
    second = demo_stack.demo(*DEMO_ARGS, "--tenant", "second")
    assert second.returncode == 0, second.stdout + second.stderr
    digest = re.compile(r"plan sha256\s+([0-9a-f]{64})")
    assert digest.search(second.stdout).group(1) == digest.search(demo_stack.first_output).group(1)  # type: ignore[union-attr]

    def fingerprint(tenant: str) -> list[tuple[object, ...]]:
        return sorted(
            (
                s.external_id,
                s.account_id,
                s.channel,
                s.traffic_source,
                s.cost.units,
                s.cost.nanos,
                sorted(s.attributes.items()),
            )
            for s in _submissions(demo_stack, tenant)
        )

    first, again = fingerprint("first"), fingerprint("second")
    assert len(first) > LEADS  # the day and the history of the returning persons
    assert first == again

    def phones(tenant: str) -> list[str]:
        metadata = [("authorization", f"Bearer {demo_stack.token(tenant)}")]
        with demo_stack.channel("ingest") as channel:
            leads = ingest_service_pb2_grpc.IngestServiceStub(channel).ListLeads(
                ingest_pb.ListLeadsRequest(page_size=1000), metadata=metadata, timeout=10
            )
        return sorted(lead.phone for lead in leads.leads)

    assert phones("first") == phones("second")


def test_accelerate_is_refused_on_a_stack_without_a_dev_clock(nats_server) -> None:  # type: ignore[no-untyped-def]
    result = subprocess.run(
        [sys.executable, "-m", "services.cli.main", "demo", "--accelerate", f"--nats-url={nats_server.url}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "has none: start it with `leadflow up --dev-clock`" in result.stdout.replace("\n", " ")


def test_a_stack_that_does_not_answer_is_named(tmp_path: Path) -> None:
    ports = [f"--grpc-port={name}={free_port()}" for name in SERVICES]
    env = dict(os.environ, LEADFLOW_DATA_DIR=str(tmp_path), LEADFLOW_JWT_HS256_KEY="k" * 40, COLUMNS="200")
    result = subprocess.run(
        [sys.executable, "-m", "services.cli.main", "demo", *ports, "--nats-url=nats://127.0.0.1:1"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 1
    assert "the stack does not answer" in result.stdout
    for name in SERVICES:
        assert re.search(rf"{name} at 127\.0\.0\.1:\d+: UNAVAILABLE", result.stdout), result.stdout


def test_a_real_time_demo_after_the_accelerated_one_finds_the_stack_and_calls(demo_stack: DemoStack) -> None:
    """The README's next command after `make run`: `leadflow demo --leads N --rate R`, no ports and no NATS URL.
    It finds the stack through its data directory (stack.json: `up` took free ports here), and with the stack's time
    outside every agent's shift (set to 03:00 Asia/Shanghai) it moves the dev clock once, to the next 13:00, so the
    agents call, instead of a day where nobody could (0 calls, OUTSIDE_CALLABLE_HOURS)."""
    clock = [sys.executable, "-m", "services.cli.main", "clock", f"--nats-url={demo_stack.nats_url}"]
    shown = subprocess.run([*clock, "show"], capture_output=True, text=True, timeout=60, check=True).stdout
    now = datetime.fromisoformat(re.search(r"stack time (\S+)", shown).group(1))  # type: ignore[union-attr]
    night = now.astimezone(ZoneInfo("Asia/Shanghai")).replace(hour=3, minute=0, second=0) + timedelta(days=1)
    subprocess.run([*clock, "set", night.isoformat()], capture_output=True, timeout=60, check=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("LEADFLOW_NATS_URL", "LEADFLOW_JWT_HS256_KEY") and not key.endswith("_GRPC_PORT")
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "services.cli.main",
            "demo",
            "--leads",
            "12",
            "--rate",
            "4",
            "--seed",
            str(SEED),
        ]
        + ["--no-live", "--settle-seconds", "30", "--tenant", "realtime"],
        capture_output=True,
        text=True,
        env=env | {"LEADFLOW_DATA_DIR": str(demo_stack.data_dir), "COLUMNS": "140"},
        timeout=300,
    )
    output = result.stdout.replace("\n", " ")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no agent works at 03:00 Asia/Shanghai, so the stack's dev clock was moved once" in output, output
    assert re.search(r"day starts \d{4}-\d{2}-\d{2} 13:00 Asia/Shanghai \(stack time\)", output), output
    services_count, demo_count = _figure(result.stdout, "calls started")
    assert int(demo_count) > 0 and int(services_count) > 0, result.stdout
    # An agent calls a lead again only once its earlier calls ended (compressed real time once made "look again in
    # half an hour" a second: six calls within a minute per lead, all open at once).
    metadata = [("authorization", f"Bearer {demo_stack.token('realtime')}")]
    with demo_stack.channel("telephony") as channel:
        calls = (
            telephony_service_pb2_grpc.TelephonyServiceStub(channel)
            .ListCalls(telephony_pb.ListCallsRequest(page_size=1000), metadata=metadata, timeout=10)
            .calls
        )
    by_lead: dict[str, list[telephony_pb.Call]] = {}
    for call in calls:
        by_lead.setdefault(call.lead_id, []).append(call)
    assert by_lead
    for lead_calls in by_lead.values():
        lead_calls.sort(key=lambda c: c.start_time.ToDatetime())
        for earlier, later in zip(lead_calls, lead_calls[1:], strict=False):
            assert earlier.HasField("release_time"), earlier
            assert earlier.release_time.ToDatetime() <= later.start_time.ToDatetime(), (earlier, later)
