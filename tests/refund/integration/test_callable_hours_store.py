"""Telephony's callable hours on refund's real store (SQLite and PostgreSQL): the latest change by its own time is
kept, an older or equal one arriving later changes nothing, and tenants are kept apart."""

from __future__ import annotations

from datetime import timedelta

from services.common.db import Database
from services.refund.adapters.db.callable_hours import SqlCallableHours
from services.refund.domain.callable_hours import CallableWindow
from tests.refund.conftest import START
from tests.refund.events import unique


def test_the_latest_change_is_kept_whatever_the_order(refund_database: Database) -> None:
    tenant, other = unique("tenant"), unique("tenant")
    nine, ten, seven = (CallableWindow(h * 60, 21 * 60, "Asia/Shanghai") for h in (9, 10, 7))
    later = START + timedelta(hours=2)
    with refund_database.transaction() as session:
        hours = SqlCallableHours(session)
        assert hours.get(tenant) is None
        assert hours.put(tenant, nine, later)
        assert hours.get(tenant) == nine  # read back in the same transaction, after the write
    with refund_database.transaction() as session:
        hours = SqlCallableHours(session)
        assert not hours.put(tenant, ten, START)  # older, arriving late
        assert not hours.put(tenant, seven, later)  # the same instant again (a redelivery)
        assert hours.put(other, ten, START)
    with refund_database.read() as session:
        hours = SqlCallableHours(session)
        assert hours.get(tenant) == nine
        assert hours.get(other) == ten
    with refund_database.transaction() as session:
        assert SqlCallableHours(session).put(tenant, seven, later + timedelta(seconds=1))
    with refund_database.read() as session:
        assert SqlCallableHours(session).get(tenant) == seven
