"""ReportCallEvent's text fields that become evidence are bounded (``converters.call_events``): a carrier code
past 64 characters or a recording address past 2,048 is refused with a field violation naming it, before any call
is looked up, and a value at the bound is kept as sent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from leadflow.telephony.v1 import telephony_service_pb2 as pb
from services.common.errors import InvalidArgument
from services.telephony.converters.call_events import MAX_CODE, MAX_URI, report

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def _request(**fields: object) -> pb.ReportCallEventRequest:
    return pb.ReportCallEventRequest(
        provider="freeswitch",
        provider_event_id="ev-1",
        call_id="01JBX3M2Q3Z6Y7W8V9T0S1R2P3",
        type=pb.CALL_EVENT_TYPE_RELEASED,
        **fields,  # type: ignore[arg-type]
    )


def _violations(request: pb.ReportCallEventRequest) -> set[str]:
    with pytest.raises(InvalidArgument) as refused:
        report(request, NOW)
    return {v.field for v in refused.value.violations}


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"carrier_status_code": "9" * (MAX_CODE + 1)}, "carrier_status_code"),
        (
            {"freeswitch": pb.FreeswitchCallCodes(hangup_cause="X" * (MAX_CODE + 1))},
            "freeswitch.hangup_cause",
        ),
        ({"kuaishou": pb.KuaishouCallCodes(phone_stat="s" * (MAX_CODE + 1))}, "kuaishou.phone_stat"),
        ({"tencent_ads": pb.TencentAdsCallCodes(end_status="e" * (MAX_CODE + 1))}, "tencent_ads.end_status"),
        ({"recording": pb.Recording(uri="https://oss/" + "r" * MAX_URI)}, "recording.uri"),
    ],
)
def test_an_overlong_code_or_address_is_named(fields: dict[str, object], path: str) -> None:
    assert _violations(_request(**fields)) == {path}


def test_every_overlong_field_is_named_at_once() -> None:
    request = _request(carrier_status_code="9" * 100, recording=pb.Recording(uri="u" * 5000))
    assert _violations(request) == {"carrier_status_code", "recording.uri"}


def test_codes_at_their_bound_are_kept_as_sent() -> None:
    cause = "C" * MAX_CODE
    request = _request(
        freeswitch=pb.FreeswitchCallCodes(hangup_cause=cause), carrier_status_code="7" * MAX_CODE
    )
    values = {e.code for e in report(request, NOW).event.evidence}
    assert {cause, "7" * MAX_CODE} <= values
