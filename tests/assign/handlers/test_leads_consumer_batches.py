"""The assign-leads consumer's batch handler (``consumers.consumer_specs``): a batch of lead.accepted goes to the
batch intake, per tenant, in the batch's order; a batch holding a lead.duplicate runs event by event, in stream
order, so the duplicate sees what the leads before it did; a lost race raises for the runtime's careful path."""

from __future__ import annotations

import uuid

import pytest

from leadflow.common.v1 import lead_pb2, region_pb2
from leadflow.ingest.v1 import events_pb2 as ingest_events
from services.assign.consumers import LEADS_CONSUMER, consumer_specs
from services.assign.domain.commands import ReleaseCommand
from services.assign.domain.enums import AssignmentMethod, AssignmentReason
from services.assign.domain.events import LeadAssigned
from services.assign.domain.policy_checks import RuleDraft
from services.common.events import LEAD_ACCEPTED, LEAD_DUPLICATE
from services.common.messaging import Delivery
from services.common.runtime import ConsumerSpec
from services.common.uow import TransientConflict
from tests.assign.fakes import FakeAssignUnitOfWork
from tests.assign.world import World, unique


def leads_spec(world: World) -> ConsumerSpec:
    specs = consumer_specs(world.intake, world.batch_intake, world.follow_ups, world.refunds, world.erasure)
    return next(spec for spec in specs if spec.name == LEADS_CONSUMER)


def delivery(subject: str, payload: object) -> Delivery:
    return Delivery(subject, uuid.uuid4().hex, payload.SerializeToString(), {}, 1, 1)  # type: ignore[attr-defined]


def accepted(tenant: str, lead_id: str | None = None) -> Delivery:
    event = ingest_events.LeadAccepted(
        event_id=uuid.uuid4().hex,
        tenant_id=tenant,
        lead_id=lead_id or unique("lead"),
        account_id="acct-1",
        verdict=lead_pb2.LEAD_VERDICT_NEW,
        channel=lead_pb2.CHANNEL_FORM,
        phone_region=region_pb2.Region(province="广东省", city="深圳市"),
    )
    return delivery(LEAD_ACCEPTED, event)


def duplicate(tenant: str, lead_id: str) -> Delivery:
    return delivery(
        LEAD_DUPLICATE,
        ingest_events.LeadDuplicate(event_id=uuid.uuid4().hex, tenant_id=tenant, lead_id=lead_id),
    )


def lead_id_of(batch: Delivery) -> str:
    return ingest_events.LeadAccepted.FromString(batch.data).lead_id


def test_a_batch_of_accepted_leads_is_routed_at_once_per_tenant_in_order(
    world: World, uow: FakeAssignUnitOfWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = world.team()
    agents = sorted(world.agent(team).id for _ in range(2))
    world.policy(RuleDraft(id="rr", method=AssignmentMethod.ROUND_ROBIN, team_id=team.id))
    calls: list[tuple[str, list[str]]] = []
    real = world.batch_intake.accept_many

    def recorded(uow_: object, tenant: str, leads: list) -> object:  # type: ignore[type-arg]
        calls.append((tenant, [lead.lead_id for lead in leads]))
        return real(uow_, tenant, leads)  # type: ignore[arg-type]

    monkeypatch.setattr(world.batch_intake, "accept_many", recorded)
    monkeypatch.setattr(world.intake, "accept", lambda *_: pytest.fail("routed one by one"))
    batch = [accepted("t1"), accepted("other"), accepted("t1"), accepted("t1")]
    world.write(lambda u: leads_spec(world).batch_handler(u, batch))  # type: ignore[misc]
    mine = [lead_id_of(d) for d in batch if d is not batch[1]]
    assert calls == [("t1", mine), ("other", [lead_id_of(batch[1])])]
    holders = [uow.assignments.active_of_lead("t1", lead_id) for lead_id in mine]
    assert [h.agent_id for h in holders if h is not None] == [agents[0], agents[1], agents[0]]
    assigned = [e.assignment.lead.lead_id for e in uow.events.recorded if isinstance(e, LeadAssigned)]
    assert assigned == mine, "lead.assigned of each, in order; the other tenant's lead went to its pool"


def test_a_batch_with_a_duplicate_runs_event_by_event_so_the_duplicate_sees_the_leads_before_it(
    world: World, uow: FakeAssignUnitOfWork
) -> None:
    team = world.team()
    agent = world.agent(team)
    world.policy(RuleDraft(id="rr", method=AssignmentMethod.ROUND_ROBIN, team_id=team.id))
    first = accepted("t1")
    lead_id = lead_id_of(first)
    spec = leads_spec(world)
    world.write(lambda u: spec.batch_handler(u, [first]))  # type: ignore[misc]
    world.run(world.pool.release(world.admin, ReleaseCommand(lead_id), "rel-1"))
    second = accepted("t1")
    world.write(lambda u: spec.batch_handler(u, [second, duplicate("t1", lead_id)]))  # type: ignore[misc]
    back = uow.assignments.active_of_lead("t1", lead_id)
    assert back is not None and back.agent_id == agent.id and back.reason == AssignmentReason.FAMILIARITY
    assert uow.assignments.active_of_lead("t1", lead_id_of(second)) is not None
    assert uow.pool.get("t1", lead_id) is None


def test_a_batch_that_loses_a_race_raises_for_the_careful_path(
    world: World, uow: FakeAssignUnitOfWork
) -> None:
    team = world.team()
    world.agent(team)
    world.policy(RuleDraft(id="rr", method=AssignmentMethod.ROUND_ROBIN, team_id=team.id))
    uow.rotations.races.remaining = 1  # another replica takes the rule's turn first, once
    batch = [accepted("t1"), accepted("t1")]
    with pytest.raises(TransientConflict):
        leads_spec(world).batch_handler(uow, batch)  # type: ignore[misc]
