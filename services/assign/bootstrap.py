"""The one place where the assign service's adapters are wired into handlers."""

from __future__ import annotations

from pathlib import Path

from leadflow.assign.v1 import assign_service_pb2_grpc
from services.assign import consumers, workers
from services.assign.adapters.db.tables import messaging
from services.assign.adapters.db.uow import SqlAssignUnitOfWork
from services.assign.api import AssignApi
from services.assign.settings import AssignSettings
from services.common.clock import Clock, service_clock
from services.common.db import Database
from services.common.dbtx import SqlTransactions
from services.common.events import STREAM_OF_SERVICE
from services.common.grpcserver.bindings import GrpcBinding
from services.common.messaging.outbox import no_events
from services.common.runtime import OutboxWaker, ServiceApp

MIGRATIONS_DIR = Path(__file__).parent / "adapters" / "db" / "migrations"
SERVICE_NAME = "leadflow.assign.v1.AssignService"


def build_app(settings: AssignSettings, *, clock: Clock | None = None) -> ServiceApp:
    common = settings.common
    waker = OutboxWaker()
    database = Database(common.database_url, pool_size=common.db_pool_size)
    api = AssignApi()
    binding = GrpcBinding(
        service_name=SERVICE_NAME,
        add_to_server=lambda server: assign_service_pb2_grpc.add_AssignServiceServicer_to_server(api, server),
    )
    return ServiceApp(
        settings=common,
        transactions=SqlTransactions(database, SqlAssignUnitOfWork, messaging, no_events, wake=waker.wake),
        messaging=messaging,
        migrations_dir=MIGRATIONS_DIR,
        bindings=[binding],
        produces=STREAM_OF_SERVICE["assign"],
        consumers=consumers.consumer_specs(),
        background=workers.background_tasks(),
        waker=waker,
        clock=clock or service_clock(common.dev_clock),
    )
