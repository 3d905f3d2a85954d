"""The one place where the ingest service's adapters are wired into handlers."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from leadflow.ingest.v1 import ingest_service_pb2_grpc
from services.common.auth import Role, TokenCodec
from services.common.clock import Clock
from services.common.dbtx import SqlTransactions
from services.common.events import STREAM_OF_SERVICE
from services.common.grpcserver.bindings import ADMIN_ONLY, ALL_ROLES, SERVICES_AND_ADMINS, GrpcBinding
from services.common.paging import PageTokens
from services.common.runtime import ServiceApp, ServiceCore
from services.common.sealing import Sealer, service_sealer
from services.ingest import consumers, metrics, workers
from services.ingest.adapters.db.tables import messaging
from services.ingest.adapters.db.uow import SqlIngestUnitOfWork
from services.ingest.adapters.dedup_client import GrpcDedupClient, TokenCache
from services.ingest.adapters.push_sender import HttpPushSender
from services.ingest.api import IngestApi
from services.ingest.converters import push as push_converters
from services.ingest.converters.events import EventEncoder
from services.ingest.domain.events import LeadAccepted
from services.ingest.domain.fingerprints import Fingerprinter
from services.ingest.domain.ports import DedupPort, IngestUnitOfWork, PushSender
from services.ingest.domain.push import RetryPolicy
from services.ingest.handlers.erasure import ErasureHandlers
from services.ingest.handlers.events import EventHandlers
from services.ingest.handlers.leads import LeadHandlers
from services.ingest.handlers.push import DispatchConfig, EndpointPolicy, PushDispatch, PushHandlers
from services.ingest.handlers.rules import RuleHandlers, ScreeningCache
from services.ingest.handlers.submit import SubmitConfig, SubmitHandlers
from services.ingest.settings import IngestSettings, PushSettings

MIGRATIONS_DIR = Path(__file__).parent / "adapters" / "db" / "migrations"
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
    # Erasure requests (PIPL) are handled by the tenant's administrators.
    "EraseLead": ADMIN_ONLY,
}


def endpoint_policy(push: PushSettings) -> EndpointPolicy:
    return EndpointPolicy(allow_http=push.allow_http, allow_private_networks=push.allow_private_networks)


def dispatch_config(push: PushSettings) -> DispatchConfig:
    retry = RetryPolicy(
        base=push.retry_base,
        cap=push.retry_cap,
        floor=min(push.retry_base, RetryPolicy().floor),
        give_up_after=push.give_up_after,
    )
    return DispatchConfig(retry=retry, lease=push.lease, send_timeout=push.send_timeout)


def http_sender(push: PushSettings) -> HttpPushSender:
    """The production sender, with the deadline and address policy of ``push``."""
    return HttpPushSender(
        timeout=push.send_timeout.total_seconds(), allow_private_networks=push.allow_private_networks
    )


@dataclass(frozen=True)
class IngestHandlers:
    """Every ingest use-case family, wired over one store."""

    submit: SubmitHandlers
    leads: LeadHandlers
    rules: RuleHandlers
    events: EventHandlers
    push: PushHandlers
    dispatch: PushDispatch
    erasure: ErasureHandlers


def build_handlers(
    settings: IngestSettings,
    transactions: SqlTransactions[SqlIngestUnitOfWork],
    dedup: DedupPort,
    clock: Clock,
    sealer: Sealer,
    sender: PushSender | None = None,
) -> IngestHandlers:
    page_tokens = PageTokens(settings.common.paging_key)
    screening = ScreeningCache()
    push = PushHandlers(
        transactions,
        clock,
        page_tokens,
        endpoint_policy(settings.push),
        describe_accepted=lambda event: push_converters.accepted_lead_of(event, sealer),
    )

    def schedule_pushes(uow: IngestUnitOfWork, accepted: Sequence[LeadAccepted]) -> None:
        scheduled = push.schedule_accepted(uow, accepted)
        if scheduled:
            metrics.PUSH_SCHEDULED.inc(scheduled)

    return IngestHandlers(
        submit=SubmitHandlers(
            transactions,
            dedup,
            Fingerprinter(settings.fingerprint_key),
            clock,
            screening,
            SubmitConfig(
                group_window_seconds=settings.group_commit_seconds, group_max=settings.group_commit_max
            ),
            observe_group=metrics.SUBMIT_GROUP_SIZE.observe,
            schedule_pushes=schedule_pushes,
        ),
        leads=LeadHandlers(transactions, page_tokens),
        rules=RuleHandlers(transactions, clock, page_tokens, screening),
        events=EventHandlers(clock),
        push=push,
        dispatch=PushDispatch(
            transactions, sender or http_sender(settings.push), clock, dispatch_config(settings.push)
        ),
        erasure=ErasureHandlers(transactions, dedup, clock),
    )


def build_app(
    settings: IngestSettings, *, clock: Clock | None = None, dedup: DedupPort | None = None
) -> ServiceApp:
    """``dedup`` replaces the gRPC dedup client (tests); ``clock`` the system clock."""
    common = settings.common
    sealer = service_sealer(settings.pii_keys, common.data_dir)
    core = ServiceCore.build(common, SqlIngestUnitOfWork, messaging, EventEncoder(sealer), clock=clock)
    client = dedup or GrpcDedupClient(
        settings.dedup_address,
        timeout=settings.dedup_timeout_seconds,
        tokens=TokenCache(TokenCodec(common.auth)),
        tls=common.tls,
        max_in_flight=settings.dedup_max_in_flight,
    )
    handlers = build_handlers(settings, core.transactions, client, core.clock, sealer)
    draining = threading.Event()
    api = IngestApi(
        handlers.submit,
        handlers.leads,
        handlers.rules,
        handlers.push,
        handlers.erasure,
        import_chunk=settings.import_chunk,
        draining=draining,
        max_message_bytes=common.max_message_bytes,
    )
    binding = GrpcBinding(
        service_name=SERVICE_NAME,
        add_to_server=lambda server: ingest_service_pb2_grpc.add_IngestServiceServicer_to_server(api, server),
        method_roles=METHOD_ROLES,
        default_roles=ADMIN_ONLY,
    )
    app = core.app(
        migrations_dir=MIGRATIONS_DIR,
        bindings=[binding],
        produces=STREAM_OF_SERVICE["ingest"],
        consumers=consumers.consumer_specs(handlers.events, handlers.push, sealer),
        background=workers.background_tasks(workers.PushWorker(handlers.dispatch)),
        draining=draining,
    )
    if isinstance(client, GrpcDedupClient):
        app.on_shutdown.append(client.close)
    return app
