"""Aliyun SecretReport call receipts (HTTP batch push, https://help.aliyun.com/document_detail/305596.html) to
carrier events.

The body is a JSON array of records. Each record becomes one FINAL_REPORT of provider ``aliyun``:

* identity ``secret_report/<call_id>`` (a re-pushed receipt is a repeat), the carrier's call id ``call_id`` and
  binding id ``sub_id``;
* times from ``call_time``, ``call_out_time``, ``ring_time``, ``free_ring_time``, ``start_time``,
  ``release_time`` in Beijing wall-clock text (``provider_times.aliyun_times``: answered iff
  ``release_time > start_time``);
* evidence ``release_cause``, ``unconnected_cause`` and ``call_type`` under their own names; ``release_dir``
  (0 platform, 1 caller, 2 callee) as the release direction;
* ``record_url`` as the recording, valid 7 days from the release (the SecretReport page).

The phone numbers a record carries (``phone_no``, ``peer_no``, ``secret_no``) are not read.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from services.common.errors import FieldViolation, InvalidArgument
from services.telephony.domain.call import CallEvent, CallEventType, Recording
from services.telephony.domain.commands import CallEventReport
from services.telephony.domain.evidence import provider_code
from services.telephony.domain.outcomes import ReleaseDirection
from services.telephony.domain.provider_times import BEIJING, aliyun_times, parse_local

PROVIDER = "aliyun"
RECORDING_VALIDITY = timedelta(days=7)
_TIME_FIELDS = ("call_time", "call_out_time", "ring_time", "free_ring_time", "start_time", "release_time")
_CODE_FIELDS = ("release_cause", "unconnected_cause", "call_type")
_RELEASE_DIR = {0: ReleaseDirection.NETWORK, 1: ReleaseDirection.CALLER, 2: ReleaseDirection.CALLEE}


def _text(record: Mapping[str, Any], name: str) -> str:
    value = record.get(name)
    return "" if value is None else str(value)


def receipt(record: Mapping[str, Any], index: int, received: datetime) -> CallEventReport:
    """One record of a receipt; INVALID_ARGUMENT naming ``[index].field`` for a malformed one."""
    where = f"[{index}]"
    call_id, sub_id = _text(record, "call_id"), _text(record, "sub_id")
    violations = []
    if not call_id or len(call_id) > 100:
        violations.append(FieldViolation(f"{where}.call_id", "is required, at most 100 characters"))
    if not sub_id or len(sub_id) > 64:
        violations.append(FieldViolation(f"{where}.sub_id", "is required"))
    texts = {name: _text(record, name) for name in _TIME_FIELDS}
    try:
        times = aliyun_times(**texts)
        release = parse_local(texts["release_time"], BEIJING)
    except ValueError:
        violations.append(FieldViolation(f"{where}.release_time", "times must be 'yyyy-MM-dd HH:mm:ss'"))
    codes = []
    for name in _CODE_FIELDS:
        value = record.get(name)
        if value is None or value == "":
            continue
        if not str(value).lstrip("-").isdigit():
            violations.append(FieldViolation(f"{where}.{name}", "must be an integer"))
            continue
        codes.append((name, int(value)))
    if violations:
        raise InvalidArgument(violations)
    evidence = tuple(provider_code(PROVIDER, name, code, release) for name, code in codes)
    direction = _RELEASE_DIR.get(int(record.get("release_dir", -1) or 0), ReleaseDirection.UNSPECIFIED)
    url = _text(record, "record_url")
    recording = Recording(url, release + RECORDING_VALIDITY if release else None) if url else None
    event = CallEvent(
        provider=PROVIDER,
        provider_event_id=f"secret_report/{call_id}",
        type=CallEventType.FINAL_REPORT,
        event_time=release,
        times=times,
        release_direction=direction,
        evidence=evidence,
        recording=recording,
        received_time=received,
    )
    return CallEventReport(event=event, provider_call_id=call_id, provider_binding_id=sub_id)
