"""What the manifests are rendered from: the five services, who calls whom, who consumes what, and sizes.

Sources: ARCHITECTURE §2 (services, publishers and consumers), §7 (ports, health, shutdown order);
services/common/config.py and services/<svc>/settings.py (environment variables); services/common/events.py
(subjects and streams); services/common/runtime.py (shutdown: NOT_SERVING, delay, ``server.stop(grace)``, then up to
another ``grace`` for the relay/consumers to finish, then NATS drain).
"""

from __future__ import annotations

from dataclasses import dataclass

from services.common import events
from services.common.config import DEFAULT_GRPC_PORTS, DEFAULT_METRICS_PORTS, SERVICES

NAMESPACE = "leadflow"
PART_OF = "leadflow"
IMAGE = "leadflow"  # overlays pin it with kustomize `images:` (registry, tag or digest)
RUN_AS = 10001  # the numeric user and group of the image (Dockerfile)

# Shutdown (seconds). The preStop sleep keeps the pod serving while endpoints and kube-proxy forget it; then
# SIGTERM: health NOT_SERVING for DELAY, server.stop(GRACE), up to GRACE more for in-flight event batches, NATS
# drain. terminationGracePeriodSeconds covers all of it plus a margin, so the kubelet never SIGKILLs a drain.
PRESTOP_SLEEP_SECONDS = 5
SHUTDOWN_DELAY_SECONDS = 2
SHUTDOWN_GRACE_SECONDS = 15
SHUTDOWN_MARGIN_SECONDS = 8


def termination_grace_seconds() -> int:
    return (
        PRESTOP_SLEEP_SECONDS + SHUTDOWN_DELAY_SECONDS + 2 * SHUTDOWN_GRACE_SECONDS + SHUTDOWN_MARGIN_SECONDS
    )


# NATS: the Service of the StatefulSet rendered from the nats Helm chart's values (deploy/k8s/base/nats/).
NATS_SERVICE = "nats"
NATS_CLIENT_PORT = 4222
NATS_CLUSTER_PORT = 6222
NATS_MONITOR_PORT = 8222
NATS_EXPORTER_PORT = 7777
NATS_ACCOUNT = "LEADFLOW"

POSTGRES_PORT = 5432

# Subjects named in ARCHITECTURE §2 that services/common/events.py does not define yet, with their producer.
# They are permitted now so that the services that land them need no permission change; once events.py has
# them, they come from there (the sets are unions).
PLANNED_SUBJECTS: dict[str, str] = {}


@dataclass(frozen=True)
class Service:
    name: str
    grpc_service: str  # the gRPC service name its health reports, e.g. leadflow.ingest.v1.IngestService
    calls: tuple[str, ...]  # services it calls over gRPC
    consumes: tuple[str, ...]  # subjects it consumes (ARCHITECTURE §2 "consumes")
    cpu_request: str
    memory_request: str
    memory_limit: str
    db_pool_size: int  # LEADFLOW_<SVC>_DB_POOL_SIZE: connections per replica (and as many overflow)
    max_replicas: int  # HorizontalPodAutoscaler ceiling in prod
    egress_https: bool = False  # push delivery to advertisers' endpoints (ingest)

    @property
    def grpc_port(self) -> int:
        return DEFAULT_GRPC_PORTS[self.name]

    @property
    def metrics_port(self) -> int:
        return DEFAULT_METRICS_PORTS[self.name]

    @property
    def app(self) -> str:
        return f"leadflow-{self.name}"

    @property
    def env_prefix(self) -> str:
        return f"LEADFLOW_{self.name.upper()}_"

    @property
    def publishes(self) -> tuple[str, ...]:
        planned = tuple(s for s, producer in PLANNED_SUBJECTS.items() if producer == self.name)
        return tuple(dict.fromkeys((*events.STREAM_OF_SERVICE[self.name].subjects, *planned)))

    @property
    def own_stream(self) -> str:
        return events.STREAM_OF_SERVICE[self.name].name

    @property
    def consumed_streams(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(stream_of_subject(s) for s in self.consumes))


def stream_of_subject(subject: str) -> str:
    for spec in events.STREAM_OF_SERVICE.values():
        if subject in spec.subjects:
            return spec.name
    producer = PLANNED_SUBJECTS.get(subject)
    if producer is None:
        raise KeyError(f"no stream publishes {subject}")
    return events.STREAM_OF_SERVICE[producer].name


def _subject(short: str) -> str:
    domain, event = short.split(".")
    return f"leadflow.{domain}.v1.{event}"


def _consumes(*shorts: str) -> tuple[str, ...]:
    return tuple(_subject(s) for s in shorts)


# Memory: idle RSS measured by bench/stack_footprint (ingest 206 MB with phonenumbers' geocoder, others ~90 MB),
# doubled for working sets. CPU: one Python process uses at most about one core (the GIL), so the limit is 1.
SERVICE_CATALOG: tuple[Service, ...] = (
    Service(
        "ingest",
        "leadflow.ingest.v1.IngestService",
        calls=("dedup",),
        consumes=_consumes(
            "refund.issued", "call.completed", "lead.assigned", "lead.status_changed", "lead.accepted"
        ),
        cpu_request="200m",
        memory_request="384Mi",
        memory_limit="768Mi",
        db_pool_size=6,
        max_replicas=10,
        egress_https=True,
    ),
    Service(
        "dedup",
        "leadflow.dedup.v1.DedupService",
        calls=(),
        # lead.erased: the erased lead's keys are forgotten even when ingest stopped before its ForgetLead call.
        consumes=_consumes("lead.erased"),
        cpu_request="200m",
        memory_request="192Mi",
        memory_limit="384Mi",
        db_pool_size=8,
        max_replicas=10,
    ),
    Service(
        "assign",
        "leadflow.assign.v1.AssignService",
        calls=(),
        consumes=_consumes(
            "lead.accepted", "lead.duplicate", "call.completed", "refund.issued", "lead.erased"
        ),
        cpu_request="100m",
        memory_request="192Mi",
        memory_limit="384Mi",
        db_pool_size=5,
        max_replicas=6,
    ),
    Service(
        "telephony",
        "leadflow.telephony.v1.TelephonyService",
        calls=(),
        consumes=_consumes(
            "lead.accepted", "lead.assigned", "agent.created", "agent.updated", "agent.deleted", "lead.erased"
        ),
        cpu_request="100m",
        memory_request="192Mi",
        memory_limit="384Mi",
        db_pool_size=5,
        max_replicas=6,
    ),
    Service(
        "refund",
        "leadflow.refund.v1.RefundService",
        calls=(),
        consumes=_consumes(
            "lead.accepted",
            "lead.duplicate",
            "call.completed",
            "telephony.callable_hours_changed",
            "lead.erased",
        ),
        cpu_request="100m",
        memory_request="192Mi",
        memory_limit="384Mi",
        db_pool_size=5,
        max_replicas=6,
    ),
)

assert tuple(s.name for s in SERVICE_CATALOG) == SERVICES

# PostgreSQL max_connections in prod (CNPG), checked against the pools by tests/deploy: every service at its
# HPA ceiling, each replica with pool + overflow, plus the migration Jobs and superuser_reserved_connections.
POSTGRES_MAX_CONNECTIONS = 500
POSTGRES_RESERVED_CONNECTIONS = 10

# Secrets the platform team creates (deploy/README.md says how); the manifests only reference them.
AUTH_SECRET = "leadflow-auth"  # keys: jwt-hs256-key, page-token-key
FINGERPRINT_SECRET = "leadflow-ingest-fingerprint"  # key: fingerprint-key


def db_secret(service: str) -> str:
    """kubernetes.io/basic-auth Secret (username, password) of the service's PostgreSQL role."""
    return f"leadflow-{service}-db"


def nats_secret(service: str) -> str:
    """Secret with key ``password``: the service's NATS user's password (the NATS server reads it too)."""
    return f"leadflow-{service}-nats"


NATS_ADMIN_SECRET = "leadflow-nats-admin"  # key password: the operators' NATS user (nats CLI, stream surgery)
