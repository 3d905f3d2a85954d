"""The one place where the ingest service's adapters are wired into handlers."""

from __future__ import annotations

from pathlib import Path

from leadflow.ingest.v1 import ingest_service_pb2_grpc
from services.common.auth import Role, TokenCodec
from services.common.clock import Clock, SystemClock
from services.common.db import Database
from services.common.events import STREAM_OF_SERVICE
from services.common.grpcserver.bindings import ADMIN_ONLY, ALL_ROLES, SERVICES_AND_ADMINS, GrpcBinding
from services.common.paging import PageTokens
from services.common.runtime import OutboxWaker, ServiceApp
from services.ingest.adapters.consumers import consumer_specs
from services.ingest.adapters.dedup_client import GrpcDedupClient, TokenCache
from services.ingest.adapters.push_repository import PushRepository
from services.ingest.adapters.repository import SqlIngestStore
from services.ingest.adapters.tables import messaging, push
from services.ingest.api import IngestApi
from services.ingest.domain.fingerprints import Fingerprinter
from services.ingest.domain.ports import DedupPort
from services.ingest.handlers import IngestHandlers
from services.ingest.push_converters import PushRpc
from services.ingest.push_handlers import PushHandlers, PushWorker, http_sender, push_consumer_spec
from services.ingest.settings import IngestSettings

MIGRATIONS_DIR = Path(__file__).parent / "adapters" / "migrations"
SERVICE_NAME = "leadflow.ingest.v1.IngestService"

# Submitting: the ad platforms' integrations (service) and admins. Reading leads: everyone of the tenant.
# Blocklists, push rules and ingest settings: admins.
METHOD_ROLES: dict[str, frozenset[Role]] = {
    "SubmitLead": SERVICES_AND_ADMINS,
    "BatchSubmitLeads": SERVICES_AND_ADMINS,
    "ImportLeads": SERVICES_AND_ADMINS,
    "GetLead": ALL_ROLES,
    "ListLeads": ALL_ROLES,
    "ListLeadSubmissions": ALL_ROLES,
    "SetBlocklist": ADMIN_ONLY,
    "ListBlocklist": ADMIN_ONLY,
    "SetPushRule": ADMIN_ONLY,
    "GetPushRule": ADMIN_ONLY,
    "ListPushDeliveries": ADMIN_ONLY,
    "GetIngestSettings": ADMIN_ONLY,
    "UpdateIngestSettings": ADMIN_ONLY,
}


def build_app(
    settings: IngestSettings, *, clock: Clock | None = None, dedup: DedupPort | None = None
) -> ServiceApp:
    """``dedup`` replaces the gRPC dedup client (tests); ``clock`` the system clock."""
    common = settings.common
    clock = clock or SystemClock()
    database = Database(common.database_url, pool_size=settings.db_pool_size)
    waker = OutboxWaker()
    store = SqlIngestStore(database, messaging)
    client = dedup or GrpcDedupClient(
        settings.dedup_address,
        timeout=settings.dedup_timeout_seconds,
        tokens=TokenCache(TokenCodec(common.auth)),
        tls=common.tls,
    )
    page_tokens = PageTokens(common.paging_key)
    handlers = IngestHandlers(
        store, client, Fingerprinter(settings.fingerprint_key), clock, page_tokens, wake=waker.wake
    )
    # Push delivery (线索推送): its RPCs, its consumer of our own lead.accepted events, and its sending worker.
    push_repository = PushRepository(push)
    push_handlers = PushHandlers(database, push_repository, clock, page_tokens, settings.push)
    push_worker = PushWorker(database, push_repository, http_sender(settings.push), clock, settings.push)
    api = IngestApi(handlers, import_chunk=settings.import_chunk, push=PushRpc(push_handlers))
    binding = GrpcBinding(
        service_name=SERVICE_NAME,
        add_to_server=lambda server: ingest_service_pb2_grpc.add_IngestServiceServicer_to_server(api, server),
        method_roles=METHOD_ROLES,
        default_roles=ADMIN_ONLY,
    )
    app = ServiceApp(
        settings=common,
        database=database,
        messaging=messaging,
        migrations_dir=MIGRATIONS_DIR,
        bindings=[binding],
        produces=STREAM_OF_SERVICE["ingest"],
        consumers=[*consumer_specs(handlers, store), push_consumer_spec(push_handlers)],
        background=[push_worker.run],
        waker=waker,
    )
    if isinstance(client, GrpcDedupClient):
        app.on_shutdown.append(client.close)
    return app
