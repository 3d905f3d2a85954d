"""The one place where the refund service's adapters are wired into handlers."""

from __future__ import annotations

from pathlib import Path

from leadflow.refund.v1 import refund_service_pb2_grpc
from services.common.db import Database
from services.common.events import STREAM_OF_SERVICE
from services.common.grpcserver.bindings import GrpcBinding
from services.common.runtime import ServiceApp
from services.refund.adapters.tables import messaging
from services.refund.api import RefundApi
from services.refund.settings import RefundSettings

MIGRATIONS_DIR = Path(__file__).parent / "adapters" / "migrations"
SERVICE_NAME = "leadflow.refund.v1.RefundService"


def build_app(settings: RefundSettings) -> ServiceApp:
    api = RefundApi()
    binding = GrpcBinding(
        service_name=SERVICE_NAME,
        add_to_server=lambda server: refund_service_pb2_grpc.add_RefundServiceServicer_to_server(api, server),
    )
    return ServiceApp(
        settings=settings.common,
        database=Database(settings.common.database_url),
        messaging=messaging,
        migrations_dir=MIGRATIONS_DIR,
        bindings=[binding],
        produces=STREAM_OF_SERVICE["refund"],
    )
