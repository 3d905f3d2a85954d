"""The one place where the refund service's adapters are wired into handlers."""

from __future__ import annotations

from pathlib import Path

from leadflow.refund.v1 import refund_service_pb2_grpc
from services.common.clock import Clock
from services.common.events import STREAM_OF_SERVICE
from services.common.grpcserver.bindings import GrpcBinding
from services.common.messaging.outbox import no_events
from services.common.runtime import ServiceApp, ServiceCore
from services.refund import consumers, workers
from services.refund.adapters.db.tables import messaging
from services.refund.adapters.db.uow import SqlRefundUnitOfWork
from services.refund.api import RefundApi
from services.refund.settings import RefundSettings

MIGRATIONS_DIR = Path(__file__).parent / "adapters" / "db" / "migrations"
SERVICE_NAME = "leadflow.refund.v1.RefundService"


def build_app(settings: RefundSettings, *, clock: Clock | None = None) -> ServiceApp:
    core = ServiceCore.build(settings.common, SqlRefundUnitOfWork, messaging, no_events, clock=clock)
    api = RefundApi()
    binding = GrpcBinding(
        service_name=SERVICE_NAME,
        add_to_server=lambda server: refund_service_pb2_grpc.add_RefundServiceServicer_to_server(api, server),
    )
    return core.app(
        migrations_dir=MIGRATIONS_DIR,
        bindings=[binding],
        produces=STREAM_OF_SERVICE["refund"],
        consumers=consumers.consumer_specs(),
        background=workers.background_tasks(),
    )
