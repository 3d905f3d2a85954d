"""The one place where the assign service's adapters are wired into handlers."""

from __future__ import annotations

from pathlib import Path

from leadflow.assign.v1 import assign_service_pb2_grpc
from services.assign.adapters.tables import messaging
from services.assign.api import AssignApi
from services.assign.settings import AssignSettings
from services.common.db import Database
from services.common.events import STREAM_OF_SERVICE
from services.common.grpcserver.bindings import GrpcBinding
from services.common.runtime import ServiceApp

MIGRATIONS_DIR = Path(__file__).parent / "adapters" / "migrations"
SERVICE_NAME = "leadflow.assign.v1.AssignService"


def build_app(settings: AssignSettings) -> ServiceApp:
    api = AssignApi()
    binding = GrpcBinding(
        service_name=SERVICE_NAME,
        add_to_server=lambda server: assign_service_pb2_grpc.add_AssignServiceServicer_to_server(api, server),
    )
    return ServiceApp(
        settings=settings.common,
        database=Database(settings.common.database_url),
        messaging=messaging,
        migrations_dir=MIGRATIONS_DIR,
        bindings=[binding],
        produces=STREAM_OF_SERVICE["assign"],
    )
