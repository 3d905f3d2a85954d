"""The one place where the dedup service's adapters are wired into handlers."""

from __future__ import annotations

from pathlib import Path

from leadflow.dedup.v1 import dedup_service_pb2_grpc
from services.common.auth import Role
from services.common.clock import Clock, SystemClock
from services.common.db import Database
from services.common.events import STREAM_OF_SERVICE
from services.common.grpcserver.bindings import ADMIN_ONLY, SERVICES_AND_ADMINS, GrpcBinding
from services.common.paging import PageTokens
from services.common.runtime import OutboxWaker, ServiceApp
from services.dedup.adapters.repository import SqlDedupStore
from services.dedup.adapters.tables import messaging
from services.dedup.api import DedupApi
from services.dedup.handlers import DedupHandlers, HandlerConfig
from services.dedup.settings import DedupSettings

MIGRATIONS_DIR = Path(__file__).parent / "adapters" / "migrations"
SERVICE_NAME = "leadflow.dedup.v1.DedupService"

# Claims, explanations and erasure: the calling services (ingest) and admins. Policies and bindings: admins
# change them; services may read them.
METHOD_ROLES: dict[str, frozenset[Role]] = {
    "ClaimLead": SERVICES_AND_ADMINS,
    "BatchClaimLeads": SERVICES_AND_ADMINS,
    "ExplainLead": SERVICES_AND_ADMINS,
    "ForgetLead": SERVICES_AND_ADMINS,
    "GetDedupPolicy": SERVICES_AND_ADMINS,
    "ListPolicyHistory": SERVICES_AND_ADMINS,
    "ListAccountBindings": SERVICES_AND_ADMINS,
    "UpdateDedupPolicy": ADMIN_ONLY,
    "BindAccount": ADMIN_ONLY,
    "UnbindAccount": ADMIN_ONLY,
}


def build_handlers(
    settings: DedupSettings, database: Database, waker: OutboxWaker, clock: Clock | None = None
) -> DedupHandlers:
    return DedupHandlers(
        SqlDedupStore(database, messaging),
        clock or SystemClock(),
        PageTokens(settings.common.paging_key),
        wake=waker.wake,
        config=HandlerConfig(max_attempts=settings.max_attempts, batch_chunk=settings.batch_chunk),
    )


def build_app(settings: DedupSettings, *, clock: Clock | None = None) -> ServiceApp:
    database = Database(settings.common.database_url, pool_size=settings.db_pool_size)
    waker = OutboxWaker()
    api = DedupApi(build_handlers(settings, database, waker, clock))
    binding = GrpcBinding(
        service_name=SERVICE_NAME,
        add_to_server=lambda server: dedup_service_pb2_grpc.add_DedupServiceServicer_to_server(api, server),
        method_roles=METHOD_ROLES,
        default_roles=ADMIN_ONLY,
    )
    return ServiceApp(
        settings=settings.common,
        database=database,
        messaging=messaging,
        migrations_dir=MIGRATIONS_DIR,
        bindings=[binding],
        produces=STREAM_OF_SERVICE["dedup"],
        waker=waker,
    )
