"""Handler tests run on the in-memory fakes."""

from __future__ import annotations

import pytest

from tests.refund.world import FakeWorld


@pytest.fixture
def world(fake_world: FakeWorld) -> FakeWorld:
    return fake_world
