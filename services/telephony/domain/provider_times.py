"""How each provider's timestamps are read: their time zone, and what they say about ringing and answering.

* Aliyun SecretReport (https://help.aliyun.com/document_detail/109201.html): times are "yyyy-MM-dd HH:mm:ss" in
  Beijing time without an offset; ``start_time`` is the callee's answer time and "如未接通，则等于release_time的时间"
  (equals ``release_time`` when not connected) and "release_time和start_time之差表示通话时长，如果结果为0，说明呼叫未
  接通": answered iff ``release_time > start_time``. ``free_ring_time > call_out_time`` means the callee's phone
  really rang; equal means it did not.
* Huawei 隐私保护通话 (FAQ "推送的话单中时间未按正常的时区显示": "话单里的时间统一用的是UTC时间"): the same text format in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
_FORMAT = "%Y-%m-%d %H:%M:%S"


def parse_local(text: str, zone: tzinfo) -> datetime | None:
    """A "yyyy-MM-dd HH:mm:ss" wall-clock time in ``zone`` as a UTC datetime; None for an empty string.

    Raises ValueError for any other format (the adapter turns it into INVALID_ARGUMENT naming the field).
    """
    if not text.strip():
        return None
    return datetime.strptime(text.strip(), _FORMAT).replace(tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class ReportedTimes:
    """The times of a call as one final report states them, in UTC.

    ``answer`` is None when the report says the call was not answered; ``answer_stated`` says whether the report
    states answered-or-not at all (a report without answer information leaves it to other events).
    """

    dial: datetime | None
    ring: datetime | None
    answer: datetime | None
    release: datetime | None
    answer_stated: bool


def aliyun_times(
    *,
    call_time: str,
    call_out_time: str,
    ring_time: str,
    free_ring_time: str,
    start_time: str,
    release_time: str,
) -> ReportedTimes:
    """The times of an Aliyun SecretReport record (fields by their own names, Beijing wall-clock text)."""
    dial = parse_local(call_time, BEIJING)
    out = parse_local(call_out_time, BEIJING)
    free_ring = parse_local(free_ring_time, BEIJING)
    rang_at = parse_local(ring_time, BEIJING)
    start = parse_local(start_time, BEIJING)
    release = parse_local(release_time, BEIJING)
    if free_ring is not None and out is not None:
        ring = free_ring if free_ring > out else None
    else:
        ring = rang_at
    answer = start if start is not None and release is not None and release > start else None
    return ReportedTimes(dial, ring, answer, release, answer_stated=start is not None and release is not None)
