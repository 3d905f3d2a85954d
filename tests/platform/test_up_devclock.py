"""`leadflow up --dev-clock`: every service follows the stack's clock, and `leadflow clock advance` moves it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from services.cli.ports import any_free_ports
from services.common.config import SERVICES
from services.common.netutil import free_port
from tests.platform.test_stack import Stack

pytestmark = pytest.mark.slow  # processes of their own: `make test-slow`


def test_up_with_the_dev_clock_lets_leadflow_clock_move_the_stack(tmp_path: Path) -> None:
    env = dict(os.environ) | any_free_ports() | {"LEADFLOW_LOG_LEVEL": "DEBUG"}  # each move is a DEBUG line
    nats_url = f"nats://127.0.0.1:{free_port()}"
    stack = Stack(tmp_path / "stack", env=env, args=["--dev-clock", "--nats-url", nats_url])
    try:
        stack.wait_for(r"SERVING after")
        stack.wait_for(r"dev clock on")
        moved = subprocess.run(
            [sys.executable, "-m", "services.cli.main", "clock", "--nats-url", nats_url, "advance", "2d"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert moved.returncode == 0, moved.stderr
        assert re.search(r"17280\d s ahead of the system time", moved.stdout), moved.stdout
    finally:
        assert stack.stop() == 0, "".join(stack.output)
    logs = "".join(p.read_text() for p in (tmp_path / "stack" / "logs").glob("*.log"))
    assert logs.count("dev clock moved") >= len(SERVICES)  # each service followed the move
