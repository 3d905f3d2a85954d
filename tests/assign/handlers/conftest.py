"""Handler tests on in-memory fakes: the whole assign use-case set over one fake unit of work and a FakeClock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.common.clock import FakeClock
from tests.assign.fakes import FakeAssignUnitOfWork, fake_transactions
from tests.assign.world import World

# A Wednesday, 10:00 in Shanghai.
T0 = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)


@pytest.fixture
def world() -> World:
    return World(fake_transactions(), FakeClock(T0))


@pytest.fixture
def uow(world: World) -> FakeAssignUnitOfWork:
    return world.tx.uow  # type: ignore[no-any-return]
