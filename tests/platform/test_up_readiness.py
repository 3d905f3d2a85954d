"""`leadflow up` believes only its children: a default port taken between the check and the bind makes that
service fail, and `up` names it with its log lines, prints no banner and exits 1; ports and the NATS server named
by LEADFLOW_* variables and flags are the ones used."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from grpc_health.v1 import health_pb2

from services.common.config import SERVICES
from services.common.netutil import free_port
from tests.platform.helpers import health_status
from tests.platform.test_stack import Stack, _processes_using

pytestmark = pytest.mark.slow

# `leadflow up` with its port check run "before" another program took the held ports: the check finds them free
# (as it did, in the incident, a moment before the other program bound them), the services then fail to bind.
RACE = """
import sys
from services.cli import ports
from services.cli.main import main

grpc_port, metrics_port, data_dir = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
ports.DEFAULT_GRPC_PORTS = {**ports.DEFAULT_GRPC_PORTS, "assign": grpc_port}
ports.DEFAULT_METRICS_PORTS = {**ports.DEFAULT_METRICS_PORTS, "refund": metrics_port}
checked = ports.port_is_free
ports.port_is_free = lambda port, host="127.0.0.1": port in (grpc_port, metrics_port) or checked(port, host)
sys.exit(main(["up", "--data-dir", data_dir]))
"""


def _held() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def _env_without_leadflow_ports(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADFLOW_")}
    return env | {"PYTHONUNBUFFERED": "1"} | extra


def test_a_default_port_taken_between_check_and_bind_is_reported_by_name_and_no_banner(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "stack"
    with _held() as grpc_blocker, _held() as metrics_blocker:
        grpc_port, metrics_port = grpc_blocker.getsockname()[1], metrics_blocker.getsockname()[1]
        # Every other listener on a free port of its own, so the machine's own use of the defaults cannot interfere.
        others = {f"LEADFLOW_{s.upper()}_GRPC_PORT": "0" for s in SERVICES if s != "assign"}
        others |= {f"LEADFLOW_{s.upper()}_METRICS_PORT": "0" for s in SERVICES if s != "refund"}
        done = subprocess.run(
            [sys.executable, "-c", RACE, str(grpc_port), str(metrics_port), str(data_dir)],
            env=_env_without_leadflow_ports(**others),
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "SERVING" not in done.stdout and "token" not in done.stdout
    assert done.stdout.strip().endswith("stopped.")
    logs = data_dir / "logs"
    assert (
        f"leadflow up: assign exited with code 3 before it was ready; last lines of {logs / 'assign.log'}:"
        in done.stderr
    )
    assert f"  | leadflow assign: cannot listen on 127.0.0.1:{grpc_port}: the port is taken" in done.stderr
    assert (
        f"leadflow up: refund exited with code 3 before it was ready; last lines of {logs / 'refund.log'}:"
        in done.stderr
    )
    assert f"  | leadflow refund: cannot listen on 127.0.0.1:{metrics_port} (metrics)" in done.stderr
    for service in ("ingest", "dedup", "telephony"):
        assert f"leadflow up: {service}" not in done.stderr
    deadline = time.monotonic() + 10
    while _processes_using(data_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_using(data_dir) == []


def test_ports_and_nats_from_variables_and_flags_are_the_ones_used(tmp_path: Path, nats_server) -> None:
    ingest_port, dedup_metrics, assign_port = free_port(), free_port(), free_port()
    env = _env_without_leadflow_ports(
        LEADFLOW_INGEST_GRPC_PORT=str(ingest_port),
        LEADFLOW_DEDUP_METRICS_PORT=str(dedup_metrics),
        LEADFLOW_ASSIGN_GRPC_PORT="1",  # overridden by the flag below
        LEADFLOW_NATS_URL=nats_server.url,
        **{f"LEADFLOW_{s.upper()}_GRPC_PORT": "0" for s in ("dedup", "telephony", "refund")},
        **{f"LEADFLOW_{s.upper()}_METRICS_PORT": "0" for s in ("ingest", "assign", "telephony")},
    )
    data_dir = tmp_path / "stack"
    stack = Stack(
        data_dir,
        env=env,
        args=["--grpc-port", f"assign={assign_port}", "--metrics-port", "refund=0"],
    )
    try:
        stack.wait_for(r"all five services SERVING after")
        table = "".join(stack.output)
        assert f"note: NATS: using the server at {nats_server.url} (LEADFLOW_NATS_URL)" in table
        assert re.search(rf"^ingest\s+127\.0\.0\.1:{ingest_port}\s", table, re.M), table
        assert re.search(
            rf"^dedup\s+127\.0\.0\.1:\d+\s+http://127\.0\.0\.1:{dedup_metrics}/metrics", table, re.M
        )
        assert re.search(rf"^assign\s+127\.0\.0\.1:{assign_port}\s", table, re.M), table
        refund_metrics = re.search(r"^refund\s+\S+\s+http://127\.0\.0\.1:(\d+)/metrics", table, re.M)
        assert refund_metrics is not None and int(refund_metrics.group(1)) not in (0, 9105)
        assert re.search(
            rf"^nats-server\s+{re.escape(nats_server.url)}\s+-\s+\(not started by up\)", table, re.M
        )
        assert health_status(f"127.0.0.1:{ingest_port}") == health_pb2.HealthCheckResponse.SERVING
        assert not (data_dir / "jetstream").exists()
    finally:
        assert stack.stop() == 0, "".join(stack.output)
