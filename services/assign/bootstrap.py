"""The one place where the assign service's adapters are wired into handlers."""

from __future__ import annotations

from pathlib import Path

from leadflow.assign.v1 import assign_service_pb2_grpc
from services.assign import consumers, workers
from services.assign.adapters.db.tables import messaging
from services.assign.adapters.db.uow import SqlAssignUnitOfWork
from services.assign.api import AssignApi
from services.assign.settings import AssignSettings
from services.common.clock import Clock
from services.common.events import STREAM_OF_SERVICE
from services.common.grpcserver.bindings import GrpcBinding
from services.common.messaging.outbox import no_events
from services.common.runtime import ServiceApp, ServiceCore

MIGRATIONS_DIR = Path(__file__).parent / "adapters" / "db" / "migrations"
SERVICE_NAME = "leadflow.assign.v1.AssignService"


def build_app(settings: AssignSettings, *, clock: Clock | None = None) -> ServiceApp:
    core = ServiceCore.build(settings.common, SqlAssignUnitOfWork, messaging, no_events, clock=clock)
    api = AssignApi()
    binding = GrpcBinding(
        service_name=SERVICE_NAME,
        add_to_server=lambda server: assign_service_pb2_grpc.add_AssignServiceServicer_to_server(api, server),
    )
    return core.app(
        migrations_dir=MIGRATIONS_DIR,
        bindings=[binding],
        produces=STREAM_OF_SERVICE["assign"],
        consumers=consumers.consumer_specs(),
        background=workers.background_tasks(),
    )
