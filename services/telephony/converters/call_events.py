"""ReportCallEvent: a carrier event as the request carries it, to the domain's ``CallEvent``.

Each of a provider's published code fields becomes one piece of evidence under the provider's own name and field
name (Aliyun ``release_cause``, Huawei ``stateCode``, Tencent Cloud ``callEndStatusDetail``, FreeSWITCH
``hangup_cause`` ...), so the mapping tables (``domain/mappings``) read them as the provider documents them. The
generic ``carrier_status_code`` is evidence of the reporting provider's field ``status_code``; the SIP status, the
Q.850 cause and the announcement are the standard sources; other ``raw`` fields are kept as evidence without a
verdict. A time out of the protobuf range is INVALID_ARGUMENT naming its field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from leadflow.telephony.v1 import telephony_service_pb2 as pb
from services.common.errors import FieldViolation, InvalidArgument
from services.common.protoconv import optional_time, to_datetime
from services.telephony.domain.call import CallEvent, CallEventType, Recording
from services.telephony.domain.commands import CallEventReport
from services.telephony.domain.evidence import Evidence, announcement, provider_code, q850_cause, sip_status
from services.telephony.domain.outcomes import EvidenceSource, ReleaseDirection
from services.telephony.domain.provider_times import ReportedTimes

STATUS_CODE_FIELD = "status_code"
MAX_RAW_FIELDS = 32
MAX_TEXT = 512
# A carrier's code, as text: numbers and short names (FreeSWITCH's longest hangup cause,
# "MANDATORY_IE_LENGTH_ERROR", has 25 characters; Huawei's and Aliyun's are numbers).
MAX_CODE = 64
MAX_URI = 2048  # a recording's address: a signed object-storage URL with its query string

# oneof provider_codes: (provider name in the mapping tables, {proto field: provider's own field name}).
PROVIDER_CODES: dict[str, tuple[str, dict[str, str]]] = {
    "aliyun": (
        "aliyun",
        {
            "release_cause": "release_cause",
            "unconnected_cause": "unconnected_cause",
            "call_type": "call_type",
            "release_dir": "release_dir",
        },
    ),
    "huawei": (
        "huawei",
        {
            "state_code": "stateCode",
            "fwd_unasw_rsn": "fwdUnaswRsn",
            "ul_fail_reason": "ulFailReason",
            "sip_status_code": "sipStatusCode",
        },
    ),
    "tencent_cloud": (
        "tencent_cloud",
        {"call_end_status": "callEndStatus", "call_end_status_detail": "callEndStatusDetail"},
    ),
    "kuaishou": ("kuaishou", {"phone_stat": "phone_stat"}),
    "tencent_ads": ("tencent_ads", {"end_status": "end_status"}),
    "freeswitch": ("freeswitch", {"hangup_cause": "hangup_cause"}),
}

# Aliyun release_dir (0 platform, 1 caller, 2 callee): https://help.aliyun.com/document_detail/109201.html
ALIYUN_RELEASE_DIR = {0: ReleaseDirection.NETWORK, 1: ReleaseDirection.CALLER, 2: ReleaseDirection.CALLEE}


def _set(message: Any, name: str) -> bool:
    try:
        return bool(message.HasField(name))
    except ValueError:  # a proto3 scalar without presence: set when not empty
        return bool(getattr(message, name))


def _provider_evidence(request: pb.ReportCallEventRequest, at: datetime | None) -> list[Evidence]:
    which = request.WhichOneof("provider_codes")
    if which is None:
        return []
    provider, fields = PROVIDER_CODES[which]
    codes = getattr(request, which)
    return [
        provider_code(provider, own, getattr(codes, name), at)
        for name, own in fields.items()
        if _set(codes, name)
    ]


def _overlong(request: pb.ReportCallEventRequest) -> list[FieldViolation]:
    """The carrier's code fields (the generic one and the provider's own, text ones) and the recording's address
    past their bounds: each would be kept as evidence, and shown, as sent."""
    found = []
    texts: list[tuple[str, str, int]] = [("carrier_status_code", request.carrier_status_code, MAX_CODE)]
    which = request.WhichOneof("provider_codes")
    if which is not None:
        codes = getattr(request, which)
        texts += [(f"{which}.{name}", getattr(codes, name), MAX_CODE) for name in PROVIDER_CODES[which][1]]
    if request.HasField("recording"):
        texts.append(("recording.uri", request.recording.uri, MAX_URI))
    for path, value, bound in texts:
        if isinstance(value, str) and len(value) > bound:
            found.append(FieldViolation(path, f"must be at most {bound} characters"))
    return found


def _times(request: pb.ReportCallEventRequest) -> ReportedTimes | None:
    if not request.HasField("times"):
        return None
    times = request.times

    def at(name: str) -> datetime | None:
        if not times.HasField(name):
            return None
        return to_datetime(getattr(times, name).time, f"times.{name}.time")

    return ReportedTimes(
        at("dial_time"), at("ring_time"), at("answer_time"), at("release_time"), times.answer_stated
    )


def report(request: pb.ReportCallEventRequest, received: datetime) -> CallEventReport:
    """The domain report of a request (validation of ids and type is the handler's)."""
    at = optional_time(request, "event_time")
    provider = request.provider
    errors: list[FieldViolation] = _overlong(request)
    evidence = _provider_evidence(request, at)
    if request.carrier_status_code:
        evidence.append(provider_code(provider, STATUS_CODE_FIELD, request.carrier_status_code, at))
    if request.sip_code:
        if not 100 <= request.sip_code <= 699:
            errors.append(FieldViolation("sip_code", "must be a SIP status code, 100 to 699"))
        evidence.append(sip_status(request.sip_code, at))
    if request.q850_cause:
        if not 1 <= request.q850_cause <= 127:
            errors.append(FieldViolation("q850_cause", "must be a Q.850 cause value, 1 to 127"))
        evidence.append(q850_cause(request.q850_cause, at))
    if request.announcement_text:
        if len(request.announcement_text) > MAX_TEXT:
            errors.append(FieldViolation("announcement_text", f"must be at most {MAX_TEXT} characters"))
        evidence.append(announcement(provider, request.announcement_text, at))
    if len(request.raw) > MAX_RAW_FIELDS:
        errors.append(FieldViolation("raw", f"must hold at most {MAX_RAW_FIELDS} fields"))
    for key in sorted(request.raw):
        value = request.raw[key]
        if len(key) > 64 or len(value) > MAX_TEXT:
            errors.append(
                FieldViolation(f"raw[{key[:64]}]", f"keys are at most 64 and values {MAX_TEXT} characters")
            )
        evidence.append(Evidence(EvidenceSource.CARRIER_STATUS, provider, key, value, event_time=at))
    recording = None
    if request.HasField("recording"):
        recording = Recording(
            request.recording.uri, optional_time(request.recording, "expire_time", "recording.expire_time")
        )
    direction = int(request.release_direction)
    if direction not in ReleaseDirection.__members__.values():
        errors.append(FieldViolation("release_direction", f"unknown release direction {direction}"))
        direction = 0
    if (
        request.WhichOneof("provider_codes") == "aliyun"
        and request.aliyun.HasField("release_dir")
        and not direction
    ):
        direction = ALIYUN_RELEASE_DIR.get(request.aliyun.release_dir, ReleaseDirection.UNSPECIFIED)
    kind = int(request.type)
    if kind not in CallEventType.__members__.values():
        errors.append(FieldViolation("type", f"unknown event type {kind}"))
        kind = 0
    times = _times(request)
    if errors:
        raise InvalidArgument(errors)
    event = CallEvent(
        provider=provider,
        provider_event_id=request.provider_event_id,
        type=CallEventType(kind),
        event_time=at,
        times=times,
        release_direction=ReleaseDirection(direction),
        evidence=tuple(evidence),
        recording=recording,
        received_time=received,
    )
    return CallEventReport(
        event=event,
        call_id=request.call_id,
        provider_call_id=request.provider_call_id,
        provider_binding_id=request.provider_binding_id,
    )
