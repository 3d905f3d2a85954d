"""StartCall, carrier events and the pool on the real store (SQLite, and PostgreSQL in that tier)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.common.errors import FailedPrecondition
from services.telephony.domain.call import CallState
from services.telephony.domain.outcomes import CallOutcome
from tests.telephony.helpers import World


def test_start_call_binds_a_number_of_the_leads_city_and_the_simulated_events_settle_the_outcome(world: World) -> None:
    far, near = world.numbers(("+8617100000001", "北京市", "北京市"), ("+8617100000002", "广东省", "深圳市"))
    agent = world.agent()
    lead = world.lead(holder=agent)
    started = world.start(lead)
    assert started.call.number_id == near and started.dial_number == "+8617100000002"
    assert started.binding.provider_binding_id.startswith("simb-")
    assert world.deliver_all() > 0
    view = world.run(world.handlers.calls.get_call(__import__("tests.telephony.helpers", fromlist=["admin"]).admin(world.tenant), started.call.call_id))
    simulated = world.carrier.placed[-1]
    assert view.call.progress.state is CallState.ENDED
    assert view.call.progress.outcome is simulated.scenario.outcome
    assert view.call.completion_revision == 1
