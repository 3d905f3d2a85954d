"""Cases in a known state, made through the consumers of a world, for the use-case tests."""

from __future__ import annotations

from services.common.auth import Principal, Role
from services.refund.domain.calls import CallOutcome
from services.refund.domain.views import CaseView
from tests.harness import run_sync
from tests.refund.events import call_completed, lead_accepted, unique
from tests.refund.unit.builders import at
from tests.refund.world import FakeWorld, SqlWorld

World = FakeWorld | SqlWorld


def principal(tenant: str, role: Role = Role.ADMIN, subject: str = "alice") -> Principal:
    return Principal(tenant_id=tenant, subject=subject, role=role)


def case_of(world: World, tenant: str, lead: str, submission: str = "") -> CaseView:
    return run_sync(world.handlers.cases.get_eligibility(principal(tenant), lead, submission))


def charged_lead(world: World, tenant: str, *, account: str = "acct-1", fen: int = 5_000) -> str:
    """A lead charged ``fen`` at 2026-03-02 10:00, with no calls yet; the clock at 10:00."""
    lead = unique("lead")
    world.clock.set(at(2, 10, 0))
    world.deliver(lead_accepted(tenant, lead, at(2, 10, 0), account_id=account, cost_fen=fen))
    return lead


def eligible_lead(world: World, tenant: str, **charge: object) -> str:
    """A lead found 空号 at 10:05: ELIGIBLE, paid after 16:05; the clock at 10:10."""
    lead = charged_lead(world, tenant, **charge)  # type: ignore[arg-type]
    world.advance_to(at(2, 10, 10))
    world.deliver(call_completed(tenant, lead, unique("call"), at(2, 10, 5), CallOutcome.EMPTY_NUMBER))
    return lead


def rejected_lead(world: World, tenant: str, *, closed: bool = True, **charge: object) -> str:
    """A lead reached for 30 s at 10:05: NOT_REFUNDABLE; closed at 16:05 when ``closed`` (the clock then)."""
    lead = charged_lead(world, tenant, **charge)  # type: ignore[arg-type]
    world.advance_to(at(2, 10, 10))
    world.deliver(
        call_completed(tenant, lead, unique("call"), at(2, 10, 5), CallOutcome.ANSWERED, talk_seconds=30)
    )
    if closed:
        world.advance_to(at(2, 16, 5))
    return lead
