"""The one place where the dedup service's adapters are wired into handlers."""

from __future__ import annotations

from pathlib import Path

from leadflow.dedup.v1 import dedup_service_pb2_grpc
from services.common.auth import Role
from services.common.clock import Clock
from services.common.dbtx import SqlTransactions
from services.common.events import STREAM_OF_SERVICE
from services.common.grpcserver.bindings import ADMIN_ONLY, SERVICE_ONLY, SERVICES_AND_ADMINS, GrpcBinding
from services.common.paging import PageTokens
from services.common.runtime import ServiceApp, ServiceCore
from services.dedup import consumers, workers
from services.dedup.adapters.db.tables import messaging
from services.dedup.adapters.db.uow import SqlDedupUnitOfWork
from services.dedup.api import DedupApi
from services.dedup.converters.events import encode_event
from services.dedup.handlers.claims import ClaimConfig, ClaimHandlers
from services.dedup.handlers.erasure import ErasureHandlers
from services.dedup.handlers.policies import PolicyHandlers
from services.dedup.settings import DedupSettings

MIGRATIONS_DIR = Path(__file__).parent / "adapters" / "db" / "migrations"
SERVICE_NAME = "leadflow.dedup.v1.DedupService"

# Claims and forgetting: ingest's own service identity only (INTERNAL_CALLERS), never a tenant's token nor another
# service's: a forgotten key or a foreign claim would split one person into two leads. Explanations: services and
# admins (support, audits). Policies and bindings: admins change them; services may read them.
METHOD_ROLES: dict[str, frozenset[Role]] = {
    "ClaimLead": SERVICE_ONLY,
    "BatchClaimLeads": SERVICE_ONLY,
    "ForgetLead": SERVICE_ONLY,
    "ExplainLead": SERVICES_AND_ADMINS,
    "GetDedupPolicy": SERVICES_AND_ADMINS,
    "ListPolicyHistory": SERVICES_AND_ADMINS,
    "ListAccountBindings": SERVICES_AND_ADMINS,
    "UpdateDedupPolicy": ADMIN_ONLY,
    "BindAccount": ADMIN_ONLY,
    "UnbindAccount": ADMIN_ONLY,
}

# Ingest's identity: the `sub` of the service tokens it mints (services/ingest/adapters/dedup_client.py) and the
# common name of its certificate under mTLS (deploy/gen: the mtls component).
INGEST_IDENTITY = "ingest"
INTERNAL_CALLERS: dict[str, frozenset[str]] = {
    method: frozenset({INGEST_IDENTITY}) for method in ("ClaimLead", "BatchClaimLeads", "ForgetLead")
}


def build_api(
    settings: DedupSettings,
    transactions: SqlTransactions[SqlDedupUnitOfWork],
    clock: Clock,
    erasure: ErasureHandlers | None = None,
) -> DedupApi:
    page_tokens = PageTokens(settings.common.paging_key)
    return DedupApi(
        PolicyHandlers(transactions, clock, page_tokens),
        ClaimHandlers(transactions, clock, ClaimConfig(batch_chunk=settings.batch_chunk)),
        erasure or ErasureHandlers(transactions, clock),
    )


def build_app(settings: DedupSettings, *, clock: Clock | None = None) -> ServiceApp:
    core = ServiceCore.build(
        settings.common,
        SqlDedupUnitOfWork,
        messaging,
        encode_event,
        clock=clock,
        attempts=settings.max_attempts,
    )
    erasure = ErasureHandlers(core.transactions, core.clock)
    api = build_api(settings, core.transactions, core.clock, erasure)
    binding = GrpcBinding(
        service_name=SERVICE_NAME,
        add_to_server=lambda server: dedup_service_pb2_grpc.add_DedupServiceServicer_to_server(api, server),
        method_roles=METHOD_ROLES,
        default_roles=ADMIN_ONLY,
        method_callers=INTERNAL_CALLERS,
    )
    return core.app(
        migrations_dir=MIGRATIONS_DIR,
        bindings=[binding],
        produces=STREAM_OF_SERVICE["dedup"],
        consumers=consumers.consumer_specs(erasure),
        background=workers.background_tasks(),
    )
