"""Which ports and NATS server `leadflow up` uses: flags over LEADFLOW_* variables over the defaults."""

from __future__ import annotations

import pytest

from services.cli.ports import any_free_ports, plan_stack
from services.common.config import DEFAULT_GRPC_PORTS, DEFAULT_METRICS_PORTS, SERVICES, ConfigError, Env


def _plan(environ: dict[str, str], taken: set[int] = frozenset(), answering: set[int] = frozenset(), **flags):
    return plan_stack(
        Env(environ),
        is_free=lambda port: port not in taken,
        answers=lambda _host, port: port in answering,
        **flags,
    )


def test_defaults_when_nothing_is_said_or_taken() -> None:
    plan = _plan({})
    assert {n: c.port for n, c in plan.grpc.items()} == DEFAULT_GRPC_PORTS
    assert {n: c.port for n, c in plan.metrics.items()} == DEFAULT_METRICS_PORTS
    assert (plan.nats_url, plan.nats_port, plan.notes) == (None, 4222, [])


def test_variables_are_honoured_and_flags_win_over_them() -> None:
    plan = _plan(
        {
            "LEADFLOW_INGEST_GRPC_PORT": "60051",
            "LEADFLOW_ASSIGN_GRPC_PORT": "60053",
            "LEADFLOW_DEDUP_METRICS_PORT": "0",
        },
        grpc_flags={"assign": 61053},
        metrics_flags={"refund": 61105},
    )
    assert plan.grpc["ingest"].port == 60051 and plan.grpc["ingest"].origin == "LEADFLOW_INGEST_GRPC_PORT"
    assert plan.grpc["assign"].port == 61053 and plan.grpc["assign"].origin.startswith("--grpc-port")
    assert plan.metrics["dedup"].port == 0 and plan.metrics["dedup"].explicit
    assert plan.metrics["refund"].port == 61105
    assert plan.grpc["telephony"].port == DEFAULT_GRPC_PORTS["telephony"]


def test_any_free_ports_sets_every_listener_of_every_service_to_zero_and_nothing_else() -> None:
    variables = any_free_ports()
    assert len(variables) == 2 * len(SERVICES) and set(variables.values()) == {"0"}
    plan = _plan(variables, taken=set(DEFAULT_GRPC_PORTS.values()) | set(DEFAULT_METRICS_PORTS.values()))
    assert all(c.port == 0 and c.explicit for c in (*plan.grpc.values(), *plan.metrics.values()))
    assert plan.notes == []  # chosen, not replaced: nothing to tell the user


def test_a_taken_default_is_left_to_the_service_and_said() -> None:
    plan = _plan({}, taken={50053, 9105, 4222})
    assert plan.grpc["assign"].port == 0 and not plan.grpc["assign"].explicit
    assert plan.metrics["refund"].port == 0
    assert plan.nats_port == 0
    assert plan.notes == [
        "assign gRPC: port 50053 is taken, the service picks a free one",
        "refund metrics: port 9105 is taken, the service picks a free one",
        "nats-server: port 4222 is taken, it picks a free one",
    ]


def test_a_port_asked_for_is_used_even_when_it_looks_taken() -> None:
    # The service binds it or says it cannot; `up` reports that, it does not silently move the port.
    plan = _plan({"LEADFLOW_ASSIGN_GRPC_PORT": "50053"}, taken={50053})
    assert plan.grpc["assign"].port == 50053 and plan.notes == []


@pytest.mark.parametrize("value", ["http", "-1", "70000"])
def test_a_malformed_port_variable_is_named(value: str) -> None:
    with pytest.raises(ConfigError, match="LEADFLOW_REFUND_METRICS_PORT"):
        _plan({"LEADFLOW_REFUND_METRICS_PORT": value})


def test_a_nats_url_with_a_server_behind_it_is_used() -> None:
    plan = _plan({"LEADFLOW_NATS_URL": "nats://127.0.0.1:14222"}, answering={14222})
    assert (plan.nats_url, plan.nats_port) == ("nats://127.0.0.1:14222", 14222)
    assert "using the server at nats://127.0.0.1:14222 (LEADFLOW_NATS_URL)" in plan.notes[0]


def test_a_loopback_nats_url_with_nothing_behind_it_gets_a_server_started_there() -> None:
    plan = _plan({}, nats_url_flag="nats://localhost:14333")
    assert (plan.nats_url, plan.nats_port) == (None, 14333)
    assert "(--nats-url), starting nats-server on port 14333" in plan.notes[0]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("nats://10.9.8.7:4222", "nothing answers at 10.9.8.7:4222"),
        ("http://127.0.0.1:4222", "must look like nats://host:port"),
        ("nats://127.0.0.1:port", "is not a URL"),
    ],
)
def test_a_nats_url_that_cannot_work_is_named(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=f"LEADFLOW_NATS_URL: .*{message}"):
        _plan({"LEADFLOW_NATS_URL": url})


def test_every_service_is_planned() -> None:
    plan = _plan({})
    assert list(plan.grpc) == list(SERVICES) == list(plan.metrics)
