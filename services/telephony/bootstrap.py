"""The one place where the telephony service's adapters are wired into handlers."""

from __future__ import annotations

from pathlib import Path

from leadflow.telephony.v1 import telephony_service_pb2_grpc
from services.common.db import Database
from services.common.events import STREAM_OF_SERVICE
from services.common.grpcserver.bindings import GrpcBinding
from services.common.runtime import ServiceApp
from services.telephony.adapters.tables import messaging
from services.telephony.api import TelephonyApi
from services.telephony.settings import TelephonySettings

MIGRATIONS_DIR = Path(__file__).parent / "adapters" / "migrations"
SERVICE_NAME = "leadflow.telephony.v1.TelephonyService"


def build_app(settings: TelephonySettings) -> ServiceApp:
    api = TelephonyApi()
    binding = GrpcBinding(
        service_name=SERVICE_NAME,
        add_to_server=lambda server: telephony_service_pb2_grpc.add_TelephonyServiceServicer_to_server(
            api, server
        ),
    )
    return ServiceApp(
        settings=settings.common,
        database=Database(settings.common.database_url),
        messaging=messaging,
        migrations_dir=MIGRATIONS_DIR,
        bindings=[binding],
        produces=STREAM_OF_SERVICE["telephony"],
    )
