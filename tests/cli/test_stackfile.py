"""The other commands find the stack `leadflow up` runs over their data directory (``stack.json``): after a flag
and a variable, before the defaults; never a stack that is gone."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from services.cli import stackfile
from services.cli.demo.connection import resolve_addresses
from services.common.config import SERVICES, ConfigError, Env

ADDRESSES = stackfile.StackAddresses(
    nats_url="nats://127.0.0.1:43210",
    grpc_ports={name: 40001 + i for i, name in enumerate(SERVICES)},
    metrics_ports={name: 41001 + i for i, name in enumerate(SERVICES)},
    dev_clock=True,
)


@contextmanager
def up_running(data_dir: Path) -> Iterator[None]:
    """Holds up.lock as `leadflow up` does for the life of its stack."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / stackfile.LOCK_FILE, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield


def _env(data_dir: Path, **variables: str) -> Env:
    return Env({"LEADFLOW_DATA_DIR": str(data_dir), **variables})


def test_a_running_stack_is_read_back(tmp_path: Path) -> None:
    with up_running(tmp_path):
        stackfile.write(tmp_path, ADDRESSES)
        assert stackfile.read(tmp_path) == ADDRESSES
        assert stackfile.running(_env(tmp_path)) == ADDRESSES
    assert not list(tmp_path.glob("*.partial")), "written whole, then renamed"


def test_a_stack_that_is_gone_is_ignored(tmp_path: Path) -> None:
    """Killed before it removed its file: nobody holds up.lock any more."""
    with up_running(tmp_path):
        stackfile.write(tmp_path, ADDRESSES)
    assert (tmp_path / stackfile.STACK_FILE).exists()
    assert stackfile.read(tmp_path) is None
    assert stackfile.nats_url(_env(tmp_path)) == stackfile.DEFAULT_NATS_URL
    assert stackfile.grpc_port(_env(tmp_path), "ingest") == 50051


@pytest.mark.parametrize(
    "content",
    [
        "",
        "{",
        '{"nats_url": "nats://x:1"}',
        '{"nats_url": "n", "grpc_ports": {"ingest": "x"}, "metrics_ports": {}}',
    ],
)
def test_an_unreadable_file_is_ignored(tmp_path: Path, content: str) -> None:
    with up_running(tmp_path):
        (tmp_path / stackfile.STACK_FILE).write_text(content)
        assert stackfile.read(tmp_path) is None
        assert stackfile.grpc_port(_env(tmp_path), "refund") == 50055


def test_no_file_no_lock_means_the_defaults(tmp_path: Path) -> None:
    assert stackfile.read(tmp_path / "nothing-here") is None
    assert stackfile.nats_url(_env(tmp_path / "nothing-here")) == "nats://127.0.0.1:4222"
    assert not (tmp_path / "nothing-here").exists(), "reading creates nothing"


def test_flags_then_variables_then_the_stack_then_the_defaults(tmp_path: Path) -> None:
    with up_running(tmp_path):
        stackfile.write(tmp_path, ADDRESSES)
        plain = _env(tmp_path)
        assert stackfile.nats_url(plain) == ADDRESSES.nats_url
        assert stackfile.nats_url(plain, "nats://flag:1") == "nats://flag:1"
        assert stackfile.nats_url(_env(tmp_path, LEADFLOW_NATS_URL="nats://var:2")) == "nats://var:2"
        assert stackfile.grpc_port(plain, "assign") == ADDRESSES.grpc_ports["assign"]
        assert stackfile.grpc_port(plain, "assign", 7) == 7
        assert stackfile.grpc_port(_env(tmp_path, LEADFLOW_ASSIGN_GRPC_PORT="8"), "assign") == 8
        with pytest.raises(ConfigError, match="LEADFLOW_ASSIGN_GRPC_PORT"):
            stackfile.grpc_port(_env(tmp_path, LEADFLOW_ASSIGN_GRPC_PORT="x"), "assign")
        addresses = resolve_addresses(
            _env(tmp_path, LEADFLOW_DEDUP_GRPC_PORT="9"), "127.0.0.1", {"ingest": 6}
        )
        assert addresses == {
            "ingest": "127.0.0.1:6",
            "dedup": "127.0.0.1:9",
            "assign": f"127.0.0.1:{ADDRESSES.grpc_ports['assign']}",
            "telephony": f"127.0.0.1:{ADDRESSES.grpc_ports['telephony']}",
            "refund": f"127.0.0.1:{ADDRESSES.grpc_ports['refund']}",
        }


def test_removed_when_the_stack_stops(tmp_path: Path) -> None:
    with up_running(tmp_path):
        stackfile.write(tmp_path, ADDRESSES)
        stackfile.remove(tmp_path)
        stackfile.remove(tmp_path)  # twice: nothing to remove is fine
        assert stackfile.read(tmp_path) is None
