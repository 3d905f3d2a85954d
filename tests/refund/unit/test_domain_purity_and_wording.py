"""The refund domain stays pure (no grpc, sqlalchemy, nats, prometheus or generated code), and its English."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest

from services.refund.domain import wording
from tests.refund.unit.builders import ZONE, at

DOMAIN = Path(__file__).resolve().parents[3] / "services" / "refund" / "domain"
# The runtime's pure modules a domain may use (docs/new-service.md), and the timers port of ports.py.
PURE_RUNTIME = {
    f"services.common.{name}"
    for name in ("errors", "validation", "uow", "clock", "ids", "timeconv", "timezones", "iterutil", "timers")
}
FORBIDDEN = ("grpc", "google.protobuf", "google.rpc", "sqlalchemy", "nats", "prometheus_client", "leadflow")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(DOMAIN.glob("*.py")), ids=lambda p: p.name)
def test_domain_modules_import_nothing_impure(path: Path) -> None:
    for name in imported_modules(path):
        assert not any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN), f"{path.name}: {name}"
        if name.startswith("services."):
            assert (
                name == "services.refund.domain"
                or name.startswith("services.refund.domain.")
                or name in PURE_RUNTIME
            ), f"{path.name}: {name}"


@pytest.mark.parametrize(
    ("span", "text"),
    [
        (timedelta(seconds=9), "9 s"),
        (timedelta(seconds=125), "2 min 5 s"),
        (timedelta(hours=12), "12 h"),
        (timedelta(hours=24), "24 h"),
        (timedelta(hours=1, minutes=30), "1 h 30 min"),
        (timedelta(days=7), "7 days"),
    ],
)
def test_durations_read_the_way_people_say_them(span: timedelta, text: str) -> None:
    assert wording.duration(span) == text


def test_local_times_are_qualified_by_their_day() -> None:
    now = at(3, 13, 35)
    assert wording.clock(at(3, 22, 50), ZONE, now) == "22:50"
    assert wording.clock(at(4, 4, 10), ZONE, now) == "04:10 tomorrow"
    assert wording.clock(at(2, 22, 50), ZONE, now) == "22:50 yesterday"
    assert wording.clock(at(9, 22, 50), ZONE, now) == "22:50 on 2026-03-09"
    assert wording.clock(at(3, 22, 50, 5), ZONE, now) == "22:50:05"
    assert wording.stamp(at(3, 9, 0), ZONE) == "2026-03-03 09:00"
    assert wording.count(1, "attempt") == "1 attempt"
    assert wording.count(2, "more attempt") == "2 more attempts"
