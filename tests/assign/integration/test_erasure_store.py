"""lead.erased on assign's real store (SQLite and PostgreSQL): the scenario of tests/assign/erasure_scenario.py, then
no table of the tenant holds the note's number, the WeChat id or the region any more."""

from __future__ import annotations

from services.assign.adapters.db.tables import metadata
from services.common.db import Database
from tests.assign.erasure_scenario import erase_a_held_lead
from tests.assign.world import World
from tests.common.personal_data import mobile_forms, rows_holding


def test_erasing_a_held_lead_on_the_store(world: World, assign_database: Database) -> None:
    values = [*mobile_forms("13800138000"), "zhangsan_wx88", "深圳市"]

    def held() -> list[tuple[str, str]]:
        return rows_holding(assign_database, metadata, values, tenant=world.tenant)

    def positive_control() -> None:
        assert ("assign_follow_ups", "note") in held() and ("assign_assignments", "city") in held()

    erase_a_held_lead(world, positive_control)
    assert held() == []
