"""A wrong setting stops the process with a message naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from services.common import config
from services.common.config import ConfigError, ServiceSettings


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("LEADFLOW_DEDUP_GRPC_PORT", "eighty"),
        ("LEADFLOW_DEDUP_GRPC_PORT", "70000"),
        ("LEADFLOW_NATS_URL", "http://localhost"),
        ("LEADFLOW_DEDUP_DATABASE_URL", "mysql://x"),
        ("LEADFLOW_JWT_HS256_KEY", "short"),
        ("LEADFLOW_SHUTDOWN_GRACE_SECONDS", "-1"),
        ("LEADFLOW_MIGRATE_ON_START", "perhaps"),
        ("LEADFLOW_EVENT_LOOP", "trio"),
        ("LEADFLOW_EVENT_LOOP", "UVLOOP"),
        ("LEADFLOW_CONSUMER_LINGER_MS", "-1"),
        ("LEADFLOW_CONSUMER_LINGER_MS", "1001"),
        ("LEADFLOW_CONSUMER_LINGER_MS", "0.05"),
    ],
)
def test_a_bad_value_names_the_variable(variable: str, value: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as err:
        ServiceSettings.from_env("dedup", {"LEADFLOW_DATA_DIR": str(tmp_path), variable: value})
    assert err.value.variable == variable
    assert variable in str(err.value)


def test_the_process_exits_2_with_the_variable_in_its_message(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = dict(os.environ, LEADFLOW_DATA_DIR=str(tmp_path), LEADFLOW_ASSIGN_GRPC_PORT="not-a-port")
    done = subprocess.run([sys.executable, "-m", "services.assign"], env=env, capture_output=True, timeout=60)
    assert done.returncode == 2
    assert b"LEADFLOW_ASSIGN_GRPC_PORT" in done.stderr


def test_defaults_follow_the_architecture_ports(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ports = [
        ServiceSettings.from_env(s, {"LEADFLOW_DATA_DIR": str(tmp_path)})
        for s in ("ingest", "dedup", "assign", "telephony", "refund")
    ]
    assert [p.grpc_port for p in ports] == [50051, 50052, 50053, 50054, 50055]
    assert [p.metrics_port for p in ports] == [9101, 9102, 9103, 9104, 9105]
    assert ports[1].database_url == f"sqlite:///{tmp_path.resolve() / 'dedup.db'}"


def test_the_event_loop_is_uvloop_where_installed_and_asyncio_on_request(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert config.uvloop_installed()  # a dependency of leadflow wherever uvloop runs (not Windows)
    chosen = ServiceSettings.from_env("dedup", {"LEADFLOW_DATA_DIR": str(tmp_path)})
    assert chosen.event_loop == "uvloop"
    asked = ServiceSettings.from_env(
        "dedup", {"LEADFLOW_DATA_DIR": str(tmp_path), "LEADFLOW_EVENT_LOOP": "asyncio"}
    )
    assert asked.event_loop == "asyncio"


def test_uvloop_where_it_is_not_installed_names_the_variable(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(config, "uvloop_installed", lambda: False)
    assert ServiceSettings.from_env("dedup", {"LEADFLOW_DATA_DIR": str(tmp_path)}).event_loop == "asyncio"
    with pytest.raises(ConfigError) as err:
        ServiceSettings.from_env(
            "dedup", {"LEADFLOW_DATA_DIR": str(tmp_path), "LEADFLOW_EVENT_LOOP": "uvloop"}
        )
    assert err.value.variable == "LEADFLOW_EVENT_LOOP"
    assert "not installed" in str(err.value)


def test_the_consumer_linger_is_50_ms_unless_set(tmp_path) -> None:  # type: ignore[no-untyped-def]
    def linger(**environ: str) -> float:
        settings = ServiceSettings.from_env("assign", {"LEADFLOW_DATA_DIR": str(tmp_path), **environ})
        return settings.consumer_linger_seconds

    assert linger() == 0.05
    assert linger(LEADFLOW_CONSUMER_LINGER_MS="0") == 0.0
    assert linger(LEADFLOW_CONSUMER_LINGER_MS="20") == 0.02
