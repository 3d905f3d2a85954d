import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from leadflow.common.v1 import call_pb2 as _call_pb2
from leadflow.common.v1 import encryption_pb2 as _encryption_pb2
from leadflow.common.v1 import schedule_pb2 as _schedule_pb2
from leadflow.telephony.v1 import telephony_service_pb2 as _telephony_service_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CallStarted(_message.Message):
    __slots__ = ("event_id", "tenant_id", "occurred_time", "call_id", "lead_id", "agent_id", "account_id", "binding_id", "masked_number", "mode", "attempt_number")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_TIME_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    BINDING_ID_FIELD_NUMBER: _ClassVar[int]
    MASKED_NUMBER_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    tenant_id: str
    occurred_time: _timestamp_pb2.Timestamp
    call_id: str
    lead_id: str
    agent_id: str
    account_id: str
    binding_id: str
    masked_number: str
    mode: _telephony_service_pb2.CallMode
    attempt_number: int
    def __init__(self, event_id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., occurred_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., call_id: _Optional[str] = ..., lead_id: _Optional[str] = ..., agent_id: _Optional[str] = ..., account_id: _Optional[str] = ..., binding_id: _Optional[str] = ..., masked_number: _Optional[str] = ..., mode: _Optional[_Union[_telephony_service_pb2.CallMode, str]] = ..., attempt_number: _Optional[int] = ...) -> None: ...

class CallCompleted(_message.Message):
    __slots__ = ("event_id", "tenant_id", "occurred_time", "call_id", "lead_id", "agent_id", "account_id", "outcome", "attempt_number", "start_time", "ring_time", "answer_time", "release_time", "talk_duration", "release_direction", "evidence", "ring_duration", "recording", "outcome_revision", "decided_by", "encrypted_lead_phone", "callable_hours", "time_zone")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_TIME_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    RING_TIME_FIELD_NUMBER: _ClassVar[int]
    ANSWER_TIME_FIELD_NUMBER: _ClassVar[int]
    RELEASE_TIME_FIELD_NUMBER: _ClassVar[int]
    TALK_DURATION_FIELD_NUMBER: _ClassVar[int]
    RELEASE_DIRECTION_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    RING_DURATION_FIELD_NUMBER: _ClassVar[int]
    RECORDING_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_REVISION_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    ENCRYPTED_LEAD_PHONE_FIELD_NUMBER: _ClassVar[int]
    CALLABLE_HOURS_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    tenant_id: str
    occurred_time: _timestamp_pb2.Timestamp
    call_id: str
    lead_id: str
    agent_id: str
    account_id: str
    outcome: _call_pb2.CallOutcome
    attempt_number: int
    start_time: _timestamp_pb2.Timestamp
    ring_time: _timestamp_pb2.Timestamp
    answer_time: _timestamp_pb2.Timestamp
    release_time: _timestamp_pb2.Timestamp
    talk_duration: _duration_pb2.Duration
    release_direction: _telephony_service_pb2.ReleaseDirection
    evidence: _containers.RepeatedCompositeFieldContainer[_telephony_service_pb2.CallEvidence]
    ring_duration: _duration_pb2.Duration
    recording: _telephony_service_pb2.Recording
    outcome_revision: int
    decided_by: _telephony_service_pb2.EvidenceSource
    encrypted_lead_phone: _encryption_pb2.EncryptedValue
    callable_hours: _schedule_pb2.DailyWindow
    time_zone: str
    def __init__(self, event_id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., occurred_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., call_id: _Optional[str] = ..., lead_id: _Optional[str] = ..., agent_id: _Optional[str] = ..., account_id: _Optional[str] = ..., outcome: _Optional[_Union[_call_pb2.CallOutcome, str]] = ..., attempt_number: _Optional[int] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ring_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., answer_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., release_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., talk_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., release_direction: _Optional[_Union[_telephony_service_pb2.ReleaseDirection, str]] = ..., evidence: _Optional[_Iterable[_Union[_telephony_service_pb2.CallEvidence, _Mapping]]] = ..., ring_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., recording: _Optional[_Union[_telephony_service_pb2.Recording, _Mapping]] = ..., outcome_revision: _Optional[int] = ..., decided_by: _Optional[_Union[_telephony_service_pb2.EvidenceSource, str]] = ..., encrypted_lead_phone: _Optional[_Union[_encryption_pb2.EncryptedValue, _Mapping]] = ..., callable_hours: _Optional[_Union[_schedule_pb2.DailyWindow, _Mapping]] = ..., time_zone: _Optional[str] = ...) -> None: ...

class CallableHoursChanged(_message.Message):
    __slots__ = ("event_id", "tenant_id", "callable_hours", "default_time_zone", "change_time")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CALLABLE_HOURS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    CHANGE_TIME_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    tenant_id: str
    callable_hours: _schedule_pb2.DailyWindow
    default_time_zone: str
    change_time: _timestamp_pb2.Timestamp
    def __init__(self, event_id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., callable_hours: _Optional[_Union[_schedule_pb2.DailyWindow, _Mapping]] = ..., default_time_zone: _Optional[str] = ..., change_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
