"""The one place where the assign service's adapters are wired into handlers and the inbound rooms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from leadflow.assign.v1 import assign_service_pb2_grpc
from services.assign import consumers, workers
from services.assign.adapters.db.tables import messaging, timers
from services.assign.adapters.db.uow import SqlAssignUnitOfWork
from services.assign.api import AssignApi
from services.assign.converters.events import AssignEventEncoder
from services.assign.handlers.agents import AgentHandlers
from services.assign.handlers.assignments import AssignmentHandlers
from services.assign.handlers.erasure import ErasureHandlers
from services.assign.handlers.followups import FollowUpHandlers
from services.assign.handlers.intake import IntakeHandlers
from services.assign.handlers.intake_batch import BatchIntake
from services.assign.handlers.policies import PolicyHandlers
from services.assign.handlers.pool import PoolHandlers
from services.assign.handlers.refunds import RefundHandlers
from services.assign.handlers.requests import RequestLog
from services.assign.handlers.tags import TagHandlers
from services.assign.handlers.timers import TimerHandlers
from services.assign.settings import AssignSettings
from services.common.auth import Role
from services.common.clock import Clock
from services.common.dbtx import SqlTransactions
from services.common.events import STREAM_OF_SERVICE
from services.common.grpcserver.bindings import ADMIN_ONLY, ALL_ROLES, SERVICES_AND_ADMINS, STAFF, GrpcBinding
from services.common.paging import PageTokens
from services.common.runtime import ServiceApp, ServiceCore
from services.common.sealing import service_sealer
from services.common.timerworker import TimerSet

MIGRATIONS_DIR = Path(__file__).parent / "adapters" / "db" / "migrations"
SERVICE_NAME = "leadflow.assign.v1.AssignService"

# Agents, teams and policies: administrators change them; everyone of the tenant may read agents and teams,
# services and administrators the policies. Agents may set their own status (UpdateAgent checks it). The pool,
# follow-ups and tags are the agents' daily work (administrators too); reassigning is for administrators.
# Services (telephony, integrations) read assignments and follow-ups.
METHOD_ROLES: dict[str, frozenset[Role]] = {
    "CreateAgent": ADMIN_ONLY,
    "GetAgent": ALL_ROLES,
    "UpdateAgent": STAFF,
    "DeleteAgent": ADMIN_ONLY,
    "ListAgents": ALL_ROLES,
    "CreateTeam": ADMIN_ONLY,
    "GetTeam": ALL_ROLES,
    "UpdateTeam": ADMIN_ONLY,
    "DeleteTeam": ADMIN_ONLY,
    "ListTeams": ALL_ROLES,
    "SetAssignmentPolicy": ADMIN_ONLY,
    "GetAssignmentPolicy": SERVICES_AND_ADMINS,
    "ListPolicyHistory": SERVICES_AND_ADMINS,
    "GetAssignment": ALL_ROLES,
    "ListAssignments": ALL_ROLES,
    "ListPool": STAFF,
    "ClaimFromPool": STAFF,
    "ReleaseToPool": STAFF,
    "Reassign": ADMIN_ONLY,
    "RecordFollowUp": STAFF,
    "ListFollowUps": ALL_ROLES,
    "CreateTag": STAFF,
    "UpdateTag": STAFF,
    "ListTags": STAFF,
    "AddLeadTags": STAFF,
    "RemoveLeadTags": STAFF,
}


@dataclass(frozen=True)
class AssignHandlers:
    """Every assign use-case family, wired over one store."""

    agents: AgentHandlers
    policies: PolicyHandlers
    assignments: AssignmentHandlers
    pool: PoolHandlers
    follow_ups: FollowUpHandlers
    tags: TagHandlers
    intake: IntakeHandlers
    batch_intake: BatchIntake
    refunds: RefundHandlers
    erasure: ErasureHandlers
    timers: TimerHandlers


def build_handlers(
    settings: AssignSettings, transactions: SqlTransactions[SqlAssignUnitOfWork], clock: Clock
) -> AssignHandlers:
    tokens = PageTokens(settings.common.paging_key)
    requests = RequestLog(settings.request_key)
    intake = IntakeHandlers(clock)
    return AssignHandlers(
        agents=AgentHandlers(transactions, clock, tokens, requests),
        policies=PolicyHandlers(transactions, clock, tokens, requests),
        assignments=AssignmentHandlers(transactions, tokens),
        pool=PoolHandlers(transactions, clock, tokens, requests),
        follow_ups=FollowUpHandlers(transactions, clock, tokens, requests),
        tags=TagHandlers(transactions, clock, tokens, requests),
        intake=intake,
        batch_intake=BatchIntake(clock, intake),
        refunds=RefundHandlers(clock),
        erasure=ErasureHandlers(clock),
        timers=TimerHandlers(clock),
    )


def build_app(settings: AssignSettings, *, clock: Clock | None = None) -> ServiceApp:
    """``clock`` replaces the service clock (tests; the dev clock of a stack started with --dev-clock)."""
    common = settings.common
    encoder = AssignEventEncoder(service_sealer(settings.pii_keys, common.data_dir))
    core = ServiceCore.build(
        common, SqlAssignUnitOfWork, messaging, encoder, clock=clock, attempts=settings.max_attempts
    )
    handlers = build_handlers(settings, core.transactions, core.clock)
    api = AssignApi(
        handlers.agents,
        handlers.policies,
        handlers.assignments,
        handlers.pool,
        handlers.follow_ups,
        handlers.tags,
    )
    binding = GrpcBinding(
        service_name=SERVICE_NAME,
        add_to_server=lambda server: assign_service_pb2_grpc.add_AssignServiceServicer_to_server(api, server),
        method_roles=METHOD_ROLES,
        default_roles=ADMIN_ONLY,
    )
    gauges = workers.GaugeRefresher(
        core.transactions,
        core.clock,
        settings.gauge_seconds,
        timedelta(seconds=settings.overdue_grace_seconds),
    )
    return core.app(
        migrations_dir=MIGRATIONS_DIR,
        bindings=[binding],
        produces=STREAM_OF_SERVICE["assign"],
        consumers=consumers.consumer_specs(
            handlers.intake, handlers.batch_intake, handlers.follow_ups, handlers.refunds, handlers.erasure
        ),
        background=workers.background_tasks(gauges),
        timers=TimerSet(timers, tuple(workers.timer_specs(handlers.timers))),
    )
