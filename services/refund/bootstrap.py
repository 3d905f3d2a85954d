"""The one place where the refund service's adapters are wired into handlers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from leadflow.refund.v1 import refund_service_pb2_grpc
from services.common.auth import Role
from services.common.clock import Clock
from services.common.events import STREAM_OF_SERVICE
from services.common.grpcserver.bindings import ADMIN_ONLY, ALL_ROLES, SERVICES_AND_ADMINS, GrpcBinding
from services.common.paging import PageTokens
from services.common.runtime import ServiceApp, ServiceCore
from services.common.uow import Transactions
from services.refund import consumers, workers
from services.refund.adapters.db.tables import messaging, timers
from services.refund.adapters.db.uow import SqlRefundUnitOfWork
from services.refund.api import RefundApi
from services.refund.converters.events import encode_event
from services.refund.domain.ports import RefundUnitOfWork
from services.refund.handlers.appeals import AppealHandlers
from services.refund.handlers.cases import CaseHandlers
from services.refund.handlers.erasure import ErasureHandlers
from services.refund.handlers.ledger import LedgerHandlers
from services.refund.handlers.ledger_check import LedgerCheck
from services.refund.handlers.refunds import RefundHandlers
from services.refund.handlers.rules import RulesHandlers
from services.refund.settings import RefundSettings

MIGRATIONS_DIR = Path(__file__).parent / "adapters" / "db" / "migrations"
SERVICE_NAME = "leadflow.refund.v1.RefundService"

# Reading cases, refunds, appeals, statements and rules: everyone of the tenant (agents see why a lead is refundable).
# RequestRefund: services (the advertiser's systems) and admins; an admin may refund any open case (MANUAL).
# AppealCase: the advertiser's staff and systems. Rules, decisions on appeals and the raw ledger: admins.
METHOD_ROLES: dict[str, frozenset[Role]] = {
    "GetEligibility": ALL_ROLES,
    "ListCases": ALL_ROLES,
    "GetRefundRules": ALL_ROLES,
    "UpdateRefundRules": ADMIN_ONLY,
    "RequestRefund": SERVICES_AND_ADMINS,
    "GetRefund": ALL_ROLES,
    "ListRefunds": ALL_ROLES,
    "GetStatement": ALL_ROLES,
    "AppealCase": ALL_ROLES,
    "ListAppeals": ALL_ROLES,
    "DecideAppeal": ADMIN_ONLY,
    "ListLedgerEntries": ADMIN_ONLY,
}


@dataclass(frozen=True)
class RefundHandlerSet:
    """Every refund use-case family, wired over one store."""

    cases: CaseHandlers
    rules: RulesHandlers
    refunds: RefundHandlers
    appeals: AppealHandlers
    ledger: LedgerHandlers
    ledger_check: LedgerCheck
    erasure: ErasureHandlers


def build_handlers(
    transactions: Transactions[RefundUnitOfWork], clock: Clock, tokens: PageTokens
) -> RefundHandlerSet:
    return RefundHandlerSet(
        cases=CaseHandlers(transactions, clock, tokens),
        rules=RulesHandlers(transactions, clock),
        refunds=RefundHandlers(transactions, clock, tokens),
        appeals=AppealHandlers(transactions, clock, tokens),
        ledger=LedgerHandlers(transactions, clock, tokens),
        ledger_check=LedgerCheck(transactions, clock),
        erasure=ErasureHandlers(),
    )


def build_app(settings: RefundSettings, *, clock: Clock | None = None) -> ServiceApp:
    """``clock`` replaces the service clock (tests)."""
    common = settings.common
    core = ServiceCore.build(
        common, SqlRefundUnitOfWork, messaging, encode_event, clock=clock, attempts=settings.max_attempts
    )
    handlers = build_handlers(core.transactions, core.clock, PageTokens(common.paging_key))
    api = RefundApi(handlers.cases, handlers.rules, handlers.refunds, handlers.appeals, handlers.ledger)
    binding = GrpcBinding(
        service_name=SERVICE_NAME,
        add_to_server=lambda server: refund_service_pb2_grpc.add_RefundServiceServicer_to_server(api, server),
        method_roles=METHOD_ROLES,
        default_roles=ADMIN_ONLY,
    )
    return core.app(
        migrations_dir=MIGRATIONS_DIR,
        bindings=[binding],
        produces=STREAM_OF_SERVICE["refund"],
        consumers=consumers.consumer_specs(handlers.cases, handlers.erasure),
        background=workers.background_tasks(handlers.ledger_check, settings.ledger_check_seconds),
        timers=workers.timer_set(timers, handlers.cases, handlers.rules),
    )
