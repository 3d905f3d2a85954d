"""The one place where the telephony service's adapters are wired into handlers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from leadflow.telephony.v1 import telephony_service_pb2_grpc
from services.common.auth import Role
from services.common.clock import Clock
from services.common.events import STREAM_OF_SERVICE
from services.common.grpcserver.bindings import ADMIN_ONLY, ALL_ROLES, SERVICES_AND_ADMINS, STAFF, GrpcBinding
from services.common.paging import PageTokens
from services.common.runtime import ServiceApp, ServiceCore
from services.common.sealing import service_sealer
from services.common.timerworker import TimerSet
from services.common.uow import Transactions
from services.telephony import consumers, workers
from services.telephony.adapters.carriers.simulated import SimulatedCarrier
from services.telephony.adapters.db.tables import messaging, timers
from services.telephony.adapters.db.uow import SqlTelephonyUnitOfWork
from services.telephony.api import TelephonyApi
from services.telephony.converters.events import EventEncoder
from services.telephony.domain.ports import Carrier, TelephonyUnitOfWork
from services.telephony.handlers.bindings import BindingHandlers
from services.telephony.handlers.call_events import CallEventHandlers
from services.telephony.handlers.calls import CallHandlers
from services.telephony.handlers.erasure import ErasureHandlers
from services.telephony.handlers.numbers import NumberHandlers
from services.telephony.handlers.parties import PartyHandlers
from services.telephony.handlers.pool import PoolGauges
from services.telephony.handlers.settings import SettingsHandlers
from services.telephony.settings import TelephonySettings

MIGRATIONS_DIR = Path(__file__).parent / "adapters" / "db" / "migrations"
SERVICE_NAME = "leadflow.telephony.v1.TelephonyService"

# The pool and the settings: administrators (services may read the pool). Calls: agents and administrators start,
# end and release; everyone of the tenant may read calls (agents only their own). Carrier events: services (the
# carriers' gateways) and administrators.
METHOD_ROLES: dict[str, frozenset[Role]] = {
    "AddNumbers": ADMIN_ONLY,
    "RetireNumber": ADMIN_ONLY,
    "ListNumbers": SERVICES_AND_ADMINS,
    "StartCall": STAFF,
    "EndCall": STAFF,
    "ReleaseBinding": STAFF,
    "GetCall": ALL_ROLES,
    "ListCalls": ALL_ROLES,
    "ReportCallEvent": SERVICES_AND_ADMINS,
    "GetTelephonySettings": ALL_ROLES,
    "UpdateTelephonySettings": ADMIN_ONLY,
}


@dataclass(frozen=True)
class Handlers:
    numbers: NumberHandlers
    calls: CallHandlers
    bindings: BindingHandlers
    call_events: CallEventHandlers
    settings: SettingsHandlers
    parties: PartyHandlers
    gauges: PoolGauges
    erasure: ErasureHandlers


def build_carriers(settings: TelephonySettings, clock: Clock) -> dict[str, Carrier]:
    carriers: dict[str, Carrier] = {"simulated": SimulatedCarrier(clock, settings.simulator_seed)}
    if settings.aliyun is not None:
        # Imported only here: Aliyun's SDK is ~28 MB of RSS a service without Aliyun credentials never needs.
        from services.telephony.adapters.carriers.aliyun import AliyunCarrier

        carriers["aliyun"] = AliyunCarrier(settings.aliyun)
    return carriers


def build_handlers(
    settings: TelephonySettings,
    transactions: Transactions[TelephonyUnitOfWork],
    clock: Clock,
    carriers: Mapping[str, Carrier],
) -> Handlers:
    tokens = PageTokens(settings.common.paging_key)
    return Handlers(
        numbers=NumberHandlers(transactions, clock, carriers, settings.default_carrier, tokens),
        calls=CallHandlers(transactions, clock, carriers, tokens),
        bindings=BindingHandlers(transactions, clock, carriers),
        call_events=CallEventHandlers(transactions, clock),
        settings=SettingsHandlers(transactions, clock),
        parties=PartyHandlers(),
        gauges=PoolGauges(transactions, clock),
        erasure=ErasureHandlers(clock),
    )


def build_app(
    settings: TelephonySettings,
    *,
    clock: Clock | None = None,
    carriers: Mapping[str, Carrier] | None = None,
) -> ServiceApp:
    """``clock`` replaces the service clock and ``carriers`` the configured carriers (tests)."""
    common = settings.common
    sealer = service_sealer(settings.pii_keys, common.data_dir)
    core = ServiceCore.build(common, SqlTelephonyUnitOfWork, messaging, EventEncoder(sealer), clock=clock)
    clock, transactions = core.clock, core.transactions
    carriers = dict(carriers) if carriers is not None else build_carriers(settings, clock)
    handlers = build_handlers(settings, transactions, clock, carriers)
    api = TelephonyApi(
        handlers.numbers, handlers.calls, handlers.bindings, handlers.call_events, handlers.settings, clock
    )
    binding = GrpcBinding(
        service_name=SERVICE_NAME,
        add_to_server=lambda server: telephony_service_pb2_grpc.add_TelephonyServiceServicer_to_server(
            api, server
        ),
        method_roles=METHOD_ROLES,
        default_roles=ADMIN_ONLY,
    )

    async def report_from_carrier(report):  # type: ignore[no-untyped-def]
        return await handlers.call_events.report(None, report)

    background = [workers.gauge_task(handlers.gauges), workers.unbind_task(handlers.bindings)]
    for carrier in carriers.values():
        if isinstance(carrier, SimulatedCarrier):
            carrier.deliver = report_from_carrier
            background.append(carrier.run)
    if settings.receipt_port is not None:
        from services.telephony.receipts import ReceiptServer  # aiohttp's web server, only when configured

        receipts = ReceiptServer(
            settings.receipt_host, settings.receipt_port, settings.receipt_token, report_from_carrier, clock
        )
        background.append(receipts.run)
    return core.app(
        migrations_dir=MIGRATIONS_DIR,
        bindings=[binding],
        produces=STREAM_OF_SERVICE["telephony"],
        consumers=consumers.consumer_specs(handlers.parties, handlers.erasure, sealer),
        background=background,
        timers=TimerSet(timers, workers.timer_specs(handlers.bindings, handlers.numbers)),
    )
