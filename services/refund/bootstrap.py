"""The one place where the refund service's adapters are wired into handlers."""

from __future__ import annotations

from pathlib import Path

from leadflow.refund.v1 import refund_service_pb2_grpc
from services.common.clock import Clock, service_clock
from services.common.db import Database
from services.common.dbtx import SqlTransactions
from services.common.events import STREAM_OF_SERVICE
from services.common.grpcserver.bindings import GrpcBinding
from services.common.messaging.outbox import no_events
from services.common.runtime import OutboxWaker, ServiceApp
from services.refund import consumers, workers
from services.refund.adapters.db.tables import messaging
from services.refund.adapters.db.uow import SqlRefundUnitOfWork
from services.refund.api import RefundApi
from services.refund.settings import RefundSettings

MIGRATIONS_DIR = Path(__file__).parent / "adapters" / "db" / "migrations"
SERVICE_NAME = "leadflow.refund.v1.RefundService"


def build_app(settings: RefundSettings, *, clock: Clock | None = None) -> ServiceApp:
    common = settings.common
    waker = OutboxWaker()
    database = Database(common.database_url, pool_size=common.db_pool_size)
    api = RefundApi()
    binding = GrpcBinding(
        service_name=SERVICE_NAME,
        add_to_server=lambda server: refund_service_pb2_grpc.add_RefundServiceServicer_to_server(api, server),
    )
    return ServiceApp(
        settings=common,
        transactions=SqlTransactions(database, SqlRefundUnitOfWork, messaging, no_events, wake=waker.wake),
        messaging=messaging,
        migrations_dir=MIGRATIONS_DIR,
        bindings=[binding],
        produces=STREAM_OF_SERVICE["refund"],
        consumers=consumers.consumer_specs(),
        background=workers.background_tasks(),
        waker=waker,
        clock=clock or service_clock(common.dev_clock),
    )
