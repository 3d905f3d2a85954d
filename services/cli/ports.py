"""Which ports and which NATS server `leadflow up` uses: flags, then the environment, then the defaults.

- A port named by a flag (``--grpc-port assign=60053``) or a variable (``LEADFLOW_ASSIGN_GRPC_PORT=60053``) is used
  as it is; 0 lets the service pick a free port. If it is taken, the service says so and ``up`` reports it.
- A default port (ARCHITECTURE §7: gRPC 50051-50055, metrics 9101-9105, NATS 4222) that is taken is left to the
  service to replace: it gets 0, binds a free port and reports which. A default that was free when checked but is
  taken by the time the service binds makes that service fail, and ``up`` reports it; nothing is guessed.
- NATS: ``--nats-url`` or ``LEADFLOW_NATS_URL`` names the server the services use. When it is a loopback address
  where nothing listens yet, ``up`` starts nats-server there; otherwise it uses the server that answers. Without
  either, ``up`` starts nats-server on 4222 (or a free port when 4222 is taken).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from services.common.config import DEFAULT_GRPC_PORTS, DEFAULT_METRICS_PORTS, SERVICES, ConfigError, Env
from services.common.netutil import accepts_connections, port_is_free

DEFAULT_NATS_PORT = 4222
NATS_URL_ENV = "LEADFLOW_NATS_URL"
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class PortChoice:
    """A port for one listener: ``port`` 0 means the service picks a free one; ``origin`` says who chose it."""

    port: int
    origin: str

    @property
    def explicit(self) -> bool:
        return self.origin != "default"


@dataclass
class StackPlan:
    """Ports per service, the NATS server to use or start, and notes for the user about replaced defaults."""

    grpc: dict[str, PortChoice]
    metrics: dict[str, PortChoice]
    nats_url: str | None  # the server to use; None: start one on nats_port
    nats_port: int  # when starting one; 0: any free port
    notes: list[str] = field(default_factory=list)


def grpc_port_variable(service: str) -> str:
    return f"LEADFLOW_{service.upper()}_GRPC_PORT"


def metrics_port_variable(service: str) -> str:
    return f"LEADFLOW_{service.upper()}_METRICS_PORT"


def any_free_ports() -> dict[str, str]:
    """Environment variables giving every service's gRPC and metrics listener port 0 (each picks a free port): for
    a stack that must not meet another one on this machine, as tests and the bench start."""
    return {
        variable(service): "0"
        for service in SERVICES
        for variable in (grpc_port_variable, metrics_port_variable)
    }


def plan_stack(
    env: Env,
    *,
    grpc_flags: Mapping[str, int] | None = None,
    metrics_flags: Mapping[str, int] | None = None,
    nats_url_flag: str | None = None,
    is_free: Callable[[int], bool] | None = None,
    answers: Callable[[str, int], bool] | None = None,
) -> StackPlan:
    """The plan for one `leadflow up`. ``is_free`` (default: netutil.port_is_free) checks a default port,
    ``answers`` (default: netutil.accepts_connections) whether a NATS URL has a server behind it.

    Raises ConfigError naming the variable or flag of a malformed value, or of a NATS URL where nothing answers and
    ``up`` cannot start a server.
    """
    is_free = is_free or port_is_free
    answers = answers or accepts_connections
    notes: list[str] = []
    grpc = {
        name: _choose(
            f"{name} gRPC",
            (grpc_flags or {}).get(name),
            f"--grpc-port {name}=…",
            env,
            grpc_port_variable(name),
            DEFAULT_GRPC_PORTS[name],
            is_free,
            notes,
        )
        for name in SERVICES
    }
    metrics = {
        name: _choose(
            f"{name} metrics",
            (metrics_flags or {}).get(name),
            f"--metrics-port {name}=…",
            env,
            metrics_port_variable(name),
            DEFAULT_METRICS_PORTS[name],
            is_free,
            notes,
        )
        for name in SERVICES
    }
    nats_url, nats_port = _choose_nats(env, nats_url_flag, is_free, answers, notes)
    return StackPlan(grpc, metrics, nats_url, nats_port, notes)


def _choose(
    what: str,
    flag: int | None,
    flag_name: str,
    env: Env,
    variable: str,
    default: int,
    is_free: Callable[[int], bool],
    notes: list[str],
) -> PortChoice:
    if flag is not None:
        return PortChoice(flag, flag_name)
    if env.raw(variable) is not None:
        return PortChoice(env.port(variable, default), variable)
    if is_free(default):
        return PortChoice(default, "default")
    notes.append(f"{what}: port {default} is taken, the service picks a free one")
    return PortChoice(0, "default")


def _choose_nats(
    env: Env,
    flag: str | None,
    is_free: Callable[[int], bool],
    answers: Callable[[str, int], bool],
    notes: list[str],
) -> tuple[str | None, int]:
    origin = "--nats-url" if flag else NATS_URL_ENV
    url = flag or env.raw(NATS_URL_ENV)
    if url is None:
        if is_free(DEFAULT_NATS_PORT):
            return None, DEFAULT_NATS_PORT
        notes.append(f"nats-server: port {DEFAULT_NATS_PORT} is taken, it picks a free one")
        return None, 0
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port or DEFAULT_NATS_PORT
    except ValueError:
        raise ConfigError(origin, f"is not a URL: {url!r}") from None
    if parts.scheme not in ("nats", "tls") or not host:
        raise ConfigError(origin, f"must look like nats://host:port, got {url!r}")
    if answers(host, port):
        notes.append(f"NATS: using the server at {url} ({origin})")
        return url, port
    if host in _LOOPBACK:
        notes.append(f"NATS: nothing listens at {url} ({origin}), starting nats-server on port {port}")
        return None, port
    raise ConfigError(origin, f"nothing answers at {host}:{port}; start that NATS server or unset it")
