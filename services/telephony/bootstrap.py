"""The one place where the telephony service's adapters are wired into handlers."""

from __future__ import annotations

from pathlib import Path

from leadflow.telephony.v1 import telephony_service_pb2_grpc
from services.common.clock import Clock, service_clock
from services.common.db import Database
from services.common.dbtx import SqlTransactions
from services.common.events import STREAM_OF_SERVICE
from services.common.grpcserver.bindings import GrpcBinding
from services.common.messaging.outbox import no_events
from services.common.runtime import OutboxWaker, ServiceApp
from services.telephony import consumers, workers
from services.telephony.adapters.db.tables import messaging
from services.telephony.adapters.db.uow import SqlTelephonyUnitOfWork
from services.telephony.api import TelephonyApi
from services.telephony.settings import TelephonySettings

MIGRATIONS_DIR = Path(__file__).parent / "adapters" / "db" / "migrations"
SERVICE_NAME = "leadflow.telephony.v1.TelephonyService"


def build_app(settings: TelephonySettings, *, clock: Clock | None = None) -> ServiceApp:
    common = settings.common
    waker = OutboxWaker()
    database = Database(common.database_url, pool_size=common.db_pool_size)
    api = TelephonyApi()
    binding = GrpcBinding(
        service_name=SERVICE_NAME,
        add_to_server=lambda server: telephony_service_pb2_grpc.add_TelephonyServiceServicer_to_server(
            api, server
        ),
    )
    return ServiceApp(
        settings=common,
        transactions=SqlTransactions(database, SqlTelephonyUnitOfWork, messaging, no_events, wake=waker.wake),
        messaging=messaging,
        migrations_dir=MIGRATIONS_DIR,
        bindings=[binding],
        produces=STREAM_OF_SERVICE["telephony"],
        consumers=consumers.consumer_specs(),
        background=workers.background_tasks(),
        waker=waker,
        clock=clock or service_clock(common.dev_clock),
    )
