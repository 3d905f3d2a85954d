"""`leadflow up` brings nats-server and all five services to SERVING, and stops with no process left."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from services.cli import stackfile
from services.cli.ports import any_free_ports
from services.common.config import SERVICES
from services.common.netutil import free_port


def _processes_using(data_dir: Path) -> list[int]:
    """Every live process whose command line or environment mentions the data directory."""
    needle = str(data_dir).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            blob = (entry / "cmdline").read_bytes() + (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().split()[2]
        except OSError:
            continue
        if needle in blob and state != "Z":
            found.append(int(entry.name))
    return found


def _own_ports(env: dict[str, str], *, service_ports: bool = True) -> dict[str, str]:
    """Free ports and a nats-server of the stack's own, where the caller's environment names none: the defaults
    (gRPC 50051-50055, metrics 9101-9105, NATS 4222) may be held by another stack or a NATS server on this machine,
    which `up` would rightly use or report, and that is not what these tests are about. ``service_ports=False``
    leaves the services on their defaults (a test of how `up` treats them) and only gives NATS its own port."""
    own = {"LEADFLOW_NATS_URL": f"nats://127.0.0.1:{free_port()}"}
    if service_ports:
        own |= any_free_ports()
    return own | env


class Stack:
    def __init__(
        self,
        data_dir: Path,
        env: dict[str, str] | None = None,
        args: list[str] | None = None,
        *,
        own_group: bool = False,
        default_service_ports: bool = False,
    ) -> None:
        env = _own_ports(
            dict(os.environ if env is None else env, PYTHONUNBUFFERED="1"),
            service_ports=not default_service_ports,
        )
        env.pop("LEADFLOW_DATA_DIR", None)
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "services.cli.main", "up", "--data-dir", str(data_dir), *(args or [])],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=own_group,  # a process group of its own, as a terminal gives a command
        )
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)

    def wait_for(self, pattern: str, timeout: float = 90.0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            match = re.search(pattern, line)
            if match:
                return match
        raise AssertionError(f"no line matching {pattern!r}; output:\n{''.join(self.output)}")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=60)


@pytest.mark.slow
def test_up_brings_all_five_to_serving_and_leaves_no_process(tmp_path: Path) -> None:
    data_dir = tmp_path / "stack"
    stack = Stack(data_dir)
    try:
        serving = stack.wait_for(r"all five services SERVING after ([\d.]+)s")
        print(f"leadflow up: all SERVING after {serving.group(1)}s")
        table = "".join(stack.output)
        for service in SERVICES:
            assert re.search(
                rf"^{service}\s+127\.0\.0\.1:\d+\s+http://127\.0\.0\.1:\d+/metrics", table, re.M
            ), table
        token = stack.wait_for(r"^(eyJ[\w-]+\.[\w-]+\.[\w-]+)$").group(1)
        assert token
        # The other commands find this stack through its data directory (services.cli.stackfile).
        found = stackfile.read(data_dir)
        assert found is not None
        for service in SERVICES:
            assert re.search(rf"^{service}\s+127\.0\.0\.1:{found.grpc_ports[service]}\s", table, re.M), table
            assert f"127.0.0.1:{found.metrics_ports[service]}/metrics" in table
        assert re.search(rf"^nats-server\s+{re.escape(found.nats_url)}\s", table, re.M), table
        assert len(_processes_using(data_dir)) >= 6  # nats-server and five services (and `up` itself)
        for service in SERVICES:  # each runs on the loop its settings chose: uvloop, installed with leadflow
            started = [
                json.loads(line)
                for line in (data_dir / "logs" / f"{service}.log").read_text().splitlines()
                if '"service started"' in line
            ]
            assert [line["event_loop"] for line in started] == ["uvloop"], service
    finally:
        code = stack.stop()
    assert code == 0, "".join(stack.output)
    deadline = time.monotonic() + 10
    while _processes_using(data_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_using(data_dir) == []
    for service in SERVICES:
        assert (data_dir / f"{service}.db").exists()
    assert not (data_dir / stackfile.STACK_FILE).exists(), "removed when the stack stops"


def _submit_and_read(address: str, token: str, lead_id: str | None) -> str:
    """Submit a lead (as the README shows) or read one back; returns the lead id."""
    import grpc

    from leadflow.common.v1 import lead_pb2
    from leadflow.ingest.v1 import ingest_service_pb2 as pb
    from leadflow.ingest.v1 import ingest_service_pb2_grpc

    metadata = [("authorization", f"Bearer {token}")]
    with grpc.insecure_channel(address) as channel:
        ingest = ingest_service_pb2_grpc.IngestServiceStub(channel)
        if lead_id is None:
            reply = ingest.SubmitLead(
                pb.SubmitLeadRequest(
                    request_id="demo-1",
                    account_id="acct-1",
                    channel=lead_pb2.CHANNEL_FORM,
                    traffic_source=lead_pb2.TRAFFIC_SOURCE_AD_DIRECT,
                    business_source=lead_pb2.BUSINESS_SOURCE_LANDING_PAGE,
                    phone="138 0013 8000",
                    name="张三",
                ),
                metadata=metadata,
                timeout=10,
            )
            assert reply.verdict == lead_pb2.LEAD_VERDICT_NEW
            return reply.lead.id
        lead = ingest.GetLead(pb.GetLeadRequest(lead_id=lead_id), metadata=metadata, timeout=10).lead
        assert lead.phone == "+8613800138000"
        return lead.id


@pytest.mark.slow
def test_a_second_up_over_the_same_data_dir_keeps_the_data(tmp_path: Path) -> None:
    data_dir = tmp_path / "stack"
    env = _own_ports(dict(os.environ))  # the same NATS port for both runs
    first = Stack(data_dir, env=env)
    try:
        first.wait_for(r"SERVING after")
        address = _address(first, "ingest")
        token = first.wait_for(r"^(eyJ[\w-]+\.[\w-]+\.[\w-]+)$").group(1)
        lead_id = _submit_and_read(address, token, None)
    finally:
        assert first.stop() == 0
    second = Stack(data_dir, env=env)
    try:
        second.wait_for(r"SERVING after")
        second.wait_for(r"^(eyJ[\w-]+\.[\w-]+\.[\w-]+)$")
        # The token of the first run still verifies: the dev key lives in the data directory too.
        assert _submit_and_read(_address(second, "ingest"), token, lead_id) == lead_id
    finally:
        assert second.stop() == 0


def _address(stack: Stack, service: str) -> str:
    match = re.search(rf"^{service}\s+(127\.0\.0\.1:\d+)", "".join(stack.output), re.M)
    assert match, "".join(stack.output)
    return match.group(1)


@pytest.mark.slow
def test_leadflow_down_from_another_process_stops_the_whole_stack(tmp_path: Path) -> None:
    data_dir = tmp_path / "stack"
    stack = Stack(data_dir)
    try:
        stack.wait_for(r"all five services SERVING")
        assert len(_processes_using(data_dir)) >= 6
        env = {k: v for k, v in os.environ.items() if k != "LEADFLOW_DATA_DIR"}
        done = subprocess.run(
            [sys.executable, "-m", "services.cli.main", "down", "--data-dir", str(data_dir)],
            capture_output=True,
            text=True,
            timeout=180,
            env=env,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"pid {stack.process.pid}" in done.stdout and "stopped." in done.stdout
        # When down returns, up has let go of its lock: up has exited, its services and nats-server with it.
        assert stack.process.wait(timeout=10) == 0, "".join(stack.output)
        assert _processes_using(data_dir) == []
        assert not (data_dir / stackfile.STACK_FILE).exists()
    finally:
        if stack.process.poll() is None:
            stack.stop()
    again = subprocess.run(
        [sys.executable, "-m", "services.cli.main", "down"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**env, "LEADFLOW_DATA_DIR": str(data_dir)},
    )
    assert again.returncode == 0 and "no stack runs over" in again.stderr


def test_a_second_up_on_a_running_data_dir_is_refused(tmp_path: Path) -> None:
    data_dir = tmp_path / "stack"
    data_dir.mkdir()
    import fcntl

    with open(data_dir / "up.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        done = subprocess.run(
            [sys.executable, "-m", "services.cli.main", "up", "--data-dir", str(data_dir)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert "another stack already runs" in done.stderr


@pytest.mark.slow
def test_a_terminal_ctrl_c_stops_the_services_before_their_broker(tmp_path: Path) -> None:
    """A terminal's Ctrl-C sends SIGINT to the whole foreground process group: `up`, the services and (before)
    nats-server at once. nats-server then went first, and every service logged connection errors while draining
    (a new user's trial found them). Now nats-server has a session of its own and `up` stops it last."""
    data_dir = tmp_path / "stack"
    stack = Stack(data_dir, own_group=True)
    try:
        stack.wait_for(r"all five services SERVING after ([\d.]+)s")
    finally:
        os.killpg(stack.process.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
        code = stack.process.wait(timeout=60)
    assert code == 0, "".join(stack.output)
    deadline = time.monotonic() + 10
    while _processes_using(data_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_using(data_dir) == []  # nats-server, outside the group, was stopped by `up`
    for service in SERVICES:
        log = (data_dir / "logs" / f"{service}.log").read_text()
        errors = [line for line in log.splitlines() if '"level": "error"' in line]
        assert errors == [], f"{service} logged errors while stopping: {errors[:3]}"
