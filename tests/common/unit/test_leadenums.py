"""The shared lead enums are numbered exactly as their protobuf counterparts, so converting is a cast."""

from __future__ import annotations

import pytest

from leadflow.common.v1 import call_pb2, lead_pb2
from services.common import leadenums


@pytest.mark.parametrize(
    ("enum", "proto", "prefix"),
    [
        (leadenums.Channel, lead_pb2.Channel, "CHANNEL_"),
        (leadenums.TrafficSource, lead_pb2.TrafficSource, "TRAFFIC_SOURCE_"),
        (leadenums.BusinessSource, lead_pb2.BusinessSource, "BUSINESS_SOURCE_"),
        (leadenums.Verdict, lead_pb2.LeadVerdict, "LEAD_VERDICT_"),
        (leadenums.LeadStatus, lead_pb2.LeadStatus, "LEAD_STATUS_"),
        (leadenums.CallOutcome, call_pb2.CallOutcome, "CALL_OUTCOME_"),
    ],
)
def test_numbers_match_the_protobuf_enum(enum, proto, prefix: str) -> None:  # type: ignore[no-untyped-def]
    generated = {name.removeprefix(prefix): number for name, number in proto.items()}
    assert {member.name: member.value for member in enum} == generated
