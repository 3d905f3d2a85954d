"""The `leadflow` command: token, migrate, and `up` with a default port already taken."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from services.common.auth import Role, TokenCodec
from services.common.config import AuthSettings, Env
from services.common.migrations import current_revision
from services.dedup.bootstrap import MIGRATIONS_DIR as DEDUP_MIGRATIONS
from tests.platform.test_stack import Stack


def _leadflow(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_token_mints_a_token_the_services_accept(tmp_path: Path) -> None:
    env = dict(os.environ, LEADFLOW_DATA_DIR=str(tmp_path))
    done = _leadflow("token", "--tenant", "acme", "--role", "agent", "--subject", "li.lei", env=env)
    assert done.returncode == 0, done.stderr
    codec = TokenCodec(AuthSettings.from_env(Env({"LEADFLOW_DATA_DIR": str(tmp_path)}), tmp_path))
    principal = codec.verify(done.stdout.strip())
    assert (principal.tenant_id, principal.subject, principal.role) == ("acme", "li.lei", Role.AGENT)


def test_migrate_brings_a_database_to_head_and_is_repeatable(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'dedup.db'}"
    env = dict(os.environ, LEADFLOW_DATA_DIR=str(tmp_path), LEADFLOW_DEDUP_DATABASE_URL=url)
    for _ in range(2):
        done = _leadflow("migrate", "dedup", env=env)
        assert done.returncode == 0, done.stderr
    head = current_revision(DEDUP_MIGRATIONS, url)
    assert head is not None and f"at revision {head}" in done.stdout


@pytest.mark.slow
def test_up_replaces_a_taken_default_port_and_says_so(tmp_path: Path) -> None:
    with socket.socket() as blocker:
        try:
            blocker.bind(("127.0.0.1", 50053))  # assign's default gRPC port
        except OSError:
            pytest.skip("port 50053 is already taken by something else on this machine, which proves nothing")
        blocker.listen()
        stack = Stack(tmp_path / "stack", default_service_ports=True)  # the defaults are what this is about
        try:
            stack.wait_for(r"SERVING after")
        finally:
            assert stack.stop() == 0
    output = "".join(stack.output)
    assert "assign gRPC: port 50053 is taken, the service picks a free one" in output
    assign = re.search(r"^assign\s+127\.0\.0\.1:(\d+)", output, re.M)
    assert assign is not None and int(assign.group(1)) not in (0, 50053), output
