import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from leadflow.common.v1 import call_pb2 as _call_pb2
from leadflow.common.v1 import region_pb2 as _region_pb2
from leadflow.common.v1 import schedule_pb2 as _schedule_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class NumberStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NUMBER_STATUS_UNSPECIFIED: _ClassVar[NumberStatus]
    NUMBER_STATUS_ACTIVE: _ClassVar[NumberStatus]
    NUMBER_STATUS_COOLING: _ClassVar[NumberStatus]
    NUMBER_STATUS_QUARANTINED: _ClassVar[NumberStatus]
    NUMBER_STATUS_RETIRED: _ClassVar[NumberStatus]

class CallMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CALL_MODE_UNSPECIFIED: _ClassVar[CallMode]
    CALL_MODE_DIRECT_DIAL: _ClassVar[CallMode]
    CALL_MODE_CALLBACK: _ClassVar[CallMode]

class BindingState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BINDING_STATE_UNSPECIFIED: _ClassVar[BindingState]
    BINDING_STATE_ACTIVE: _ClassVar[BindingState]
    BINDING_STATE_RELEASED: _ClassVar[BindingState]
    BINDING_STATE_EXPIRED: _ClassVar[BindingState]

class CallState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CALL_STATE_UNSPECIFIED: _ClassVar[CallState]
    CALL_STATE_DIALING: _ClassVar[CallState]
    CALL_STATE_RINGING: _ClassVar[CallState]
    CALL_STATE_IN_PROGRESS: _ClassVar[CallState]
    CALL_STATE_ENDED: _ClassVar[CallState]

class ReleaseDirection(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RELEASE_DIRECTION_UNSPECIFIED: _ClassVar[ReleaseDirection]
    RELEASE_DIRECTION_CALLER: _ClassVar[ReleaseDirection]
    RELEASE_DIRECTION_CALLEE: _ClassVar[ReleaseDirection]
    RELEASE_DIRECTION_NETWORK: _ClassVar[ReleaseDirection]

class EvidenceSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EVIDENCE_SOURCE_UNSPECIFIED: _ClassVar[EvidenceSource]
    EVIDENCE_SOURCE_CARRIER_STATUS: _ClassVar[EvidenceSource]
    EVIDENCE_SOURCE_ANNOUNCEMENT: _ClassVar[EvidenceSource]
    EVIDENCE_SOURCE_SIP: _ClassVar[EvidenceSource]
    EVIDENCE_SOURCE_Q850: _ClassVar[EvidenceSource]
    EVIDENCE_SOURCE_CALL_TIMES: _ClassVar[EvidenceSource]

class CallEventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CALL_EVENT_TYPE_UNSPECIFIED: _ClassVar[CallEventType]
    CALL_EVENT_TYPE_DIALED: _ClassVar[CallEventType]
    CALL_EVENT_TYPE_RINGING: _ClassVar[CallEventType]
    CALL_EVENT_TYPE_EARLY_MEDIA: _ClassVar[CallEventType]
    CALL_EVENT_TYPE_ANSWERED: _ClassVar[CallEventType]
    CALL_EVENT_TYPE_RELEASED: _ClassVar[CallEventType]
    CALL_EVENT_TYPE_FINAL_REPORT: _ClassVar[CallEventType]
    CALL_EVENT_TYPE_RECORDING_READY: _ClassVar[CallEventType]
NUMBER_STATUS_UNSPECIFIED: NumberStatus
NUMBER_STATUS_ACTIVE: NumberStatus
NUMBER_STATUS_COOLING: NumberStatus
NUMBER_STATUS_QUARANTINED: NumberStatus
NUMBER_STATUS_RETIRED: NumberStatus
CALL_MODE_UNSPECIFIED: CallMode
CALL_MODE_DIRECT_DIAL: CallMode
CALL_MODE_CALLBACK: CallMode
BINDING_STATE_UNSPECIFIED: BindingState
BINDING_STATE_ACTIVE: BindingState
BINDING_STATE_RELEASED: BindingState
BINDING_STATE_EXPIRED: BindingState
CALL_STATE_UNSPECIFIED: CallState
CALL_STATE_DIALING: CallState
CALL_STATE_RINGING: CallState
CALL_STATE_IN_PROGRESS: CallState
CALL_STATE_ENDED: CallState
RELEASE_DIRECTION_UNSPECIFIED: ReleaseDirection
RELEASE_DIRECTION_CALLER: ReleaseDirection
RELEASE_DIRECTION_CALLEE: ReleaseDirection
RELEASE_DIRECTION_NETWORK: ReleaseDirection
EVIDENCE_SOURCE_UNSPECIFIED: EvidenceSource
EVIDENCE_SOURCE_CARRIER_STATUS: EvidenceSource
EVIDENCE_SOURCE_ANNOUNCEMENT: EvidenceSource
EVIDENCE_SOURCE_SIP: EvidenceSource
EVIDENCE_SOURCE_Q850: EvidenceSource
EVIDENCE_SOURCE_CALL_TIMES: EvidenceSource
CALL_EVENT_TYPE_UNSPECIFIED: CallEventType
CALL_EVENT_TYPE_DIALED: CallEventType
CALL_EVENT_TYPE_RINGING: CallEventType
CALL_EVENT_TYPE_EARLY_MEDIA: CallEventType
CALL_EVENT_TYPE_ANSWERED: CallEventType
CALL_EVENT_TYPE_RELEASED: CallEventType
CALL_EVENT_TYPE_FINAL_REPORT: CallEventType
CALL_EVENT_TYPE_RECORDING_READY: CallEventType

class MaskedNumber(_message.Message):
    __slots__ = ("id", "phone_number", "region", "carrier", "status", "status_reason", "cooling_end_time", "max_concurrent_bindings", "max_daily_calls", "active_binding_count", "today_call_count", "recent_answer_rate", "recent_call_count", "last_bind_time", "create_time", "update_time", "status_change_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    PHONE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STATUS_REASON_FIELD_NUMBER: _ClassVar[int]
    COOLING_END_TIME_FIELD_NUMBER: _ClassVar[int]
    MAX_CONCURRENT_BINDINGS_FIELD_NUMBER: _ClassVar[int]
    MAX_DAILY_CALLS_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_BINDING_COUNT_FIELD_NUMBER: _ClassVar[int]
    TODAY_CALL_COUNT_FIELD_NUMBER: _ClassVar[int]
    RECENT_ANSWER_RATE_FIELD_NUMBER: _ClassVar[int]
    RECENT_CALL_COUNT_FIELD_NUMBER: _ClassVar[int]
    LAST_BIND_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    STATUS_CHANGE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    phone_number: str
    region: _region_pb2.Region
    carrier: str
    status: NumberStatus
    status_reason: str
    cooling_end_time: _timestamp_pb2.Timestamp
    max_concurrent_bindings: int
    max_daily_calls: int
    active_binding_count: int
    today_call_count: int
    recent_answer_rate: float
    recent_call_count: int
    last_bind_time: _timestamp_pb2.Timestamp
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    status_change_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., phone_number: _Optional[str] = ..., region: _Optional[_Union[_region_pb2.Region, _Mapping]] = ..., carrier: _Optional[str] = ..., status: _Optional[_Union[NumberStatus, str]] = ..., status_reason: _Optional[str] = ..., cooling_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., max_concurrent_bindings: _Optional[int] = ..., max_daily_calls: _Optional[int] = ..., active_binding_count: _Optional[int] = ..., today_call_count: _Optional[int] = ..., recent_answer_rate: _Optional[float] = ..., recent_call_count: _Optional[int] = ..., last_bind_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status_change_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AddNumbersRequest(_message.Message):
    __slots__ = ("numbers", "request_id")
    NUMBERS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    numbers: _containers.RepeatedCompositeFieldContainer[MaskedNumber]
    request_id: str
    def __init__(self, numbers: _Optional[_Iterable[_Union[MaskedNumber, _Mapping]]] = ..., request_id: _Optional[str] = ...) -> None: ...

class AddNumbersResponse(_message.Message):
    __slots__ = ("numbers",)
    NUMBERS_FIELD_NUMBER: _ClassVar[int]
    numbers: _containers.RepeatedCompositeFieldContainer[MaskedNumber]
    def __init__(self, numbers: _Optional[_Iterable[_Union[MaskedNumber, _Mapping]]] = ...) -> None: ...

class ListNumbersRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "status", "province", "city", "carrier")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PROVINCE_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    status: NumberStatus
    province: str
    city: str
    carrier: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., status: _Optional[_Union[NumberStatus, str]] = ..., province: _Optional[str] = ..., city: _Optional[str] = ..., carrier: _Optional[str] = ...) -> None: ...

class ListNumbersResponse(_message.Message):
    __slots__ = ("numbers", "next_page_token")
    NUMBERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    numbers: _containers.RepeatedCompositeFieldContainer[MaskedNumber]
    next_page_token: str
    def __init__(self, numbers: _Optional[_Iterable[_Union[MaskedNumber, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class RetireNumberRequest(_message.Message):
    __slots__ = ("number_id", "reason")
    NUMBER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    number_id: str
    reason: str
    def __init__(self, number_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RetireNumberResponse(_message.Message):
    __slots__ = ("number",)
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    number: MaskedNumber
    def __init__(self, number: _Optional[_Union[MaskedNumber, _Mapping]] = ...) -> None: ...

class Binding(_message.Message):
    __slots__ = ("id", "lead_id", "agent_id", "number_id", "masked_number", "state", "create_time", "expire_time", "release_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    NUMBER_ID_FIELD_NUMBER: _ClassVar[int]
    MASKED_NUMBER_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    RELEASE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    lead_id: str
    agent_id: str
    number_id: str
    masked_number: str
    state: BindingState
    create_time: _timestamp_pb2.Timestamp
    expire_time: _timestamp_pb2.Timestamp
    release_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., lead_id: _Optional[str] = ..., agent_id: _Optional[str] = ..., number_id: _Optional[str] = ..., masked_number: _Optional[str] = ..., state: _Optional[_Union[BindingState, str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., release_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CallEvidence(_message.Message):
    __slots__ = ("source", "provider", "code", "text", "receive_time", "field", "event_time", "decisive", "conflicting")
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    RECEIVE_TIME_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    DECISIVE_FIELD_NUMBER: _ClassVar[int]
    CONFLICTING_FIELD_NUMBER: _ClassVar[int]
    source: EvidenceSource
    provider: str
    code: str
    text: str
    receive_time: _timestamp_pb2.Timestamp
    field: str
    event_time: _timestamp_pb2.Timestamp
    decisive: bool
    conflicting: bool
    def __init__(self, source: _Optional[_Union[EvidenceSource, str]] = ..., provider: _Optional[str] = ..., code: _Optional[str] = ..., text: _Optional[str] = ..., receive_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., field: _Optional[str] = ..., event_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., decisive: _Optional[bool] = ..., conflicting: _Optional[bool] = ...) -> None: ...

class Recording(_message.Message):
    __slots__ = ("uri", "expire_time")
    URI_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    uri: str
    expire_time: _timestamp_pb2.Timestamp
    def __init__(self, uri: _Optional[str] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Call(_message.Message):
    __slots__ = ("id", "lead_id", "agent_id", "account_id", "binding_id", "masked_number", "mode", "state", "outcome", "attempt_number", "start_time", "ring_time", "answer_time", "release_time", "talk_duration", "release_direction", "evidence", "recording", "update_time", "ring_duration", "decided_by", "outcome_explanation", "outcome_revision")
    ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    BINDING_ID_FIELD_NUMBER: _ClassVar[int]
    MASKED_NUMBER_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    RING_TIME_FIELD_NUMBER: _ClassVar[int]
    ANSWER_TIME_FIELD_NUMBER: _ClassVar[int]
    RELEASE_TIME_FIELD_NUMBER: _ClassVar[int]
    TALK_DURATION_FIELD_NUMBER: _ClassVar[int]
    RELEASE_DIRECTION_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    RECORDING_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    RING_DURATION_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_REVISION_FIELD_NUMBER: _ClassVar[int]
    id: str
    lead_id: str
    agent_id: str
    account_id: str
    binding_id: str
    masked_number: str
    mode: CallMode
    state: CallState
    outcome: _call_pb2.CallOutcome
    attempt_number: int
    start_time: _timestamp_pb2.Timestamp
    ring_time: _timestamp_pb2.Timestamp
    answer_time: _timestamp_pb2.Timestamp
    release_time: _timestamp_pb2.Timestamp
    talk_duration: _duration_pb2.Duration
    release_direction: ReleaseDirection
    evidence: _containers.RepeatedCompositeFieldContainer[CallEvidence]
    recording: Recording
    update_time: _timestamp_pb2.Timestamp
    ring_duration: _duration_pb2.Duration
    decided_by: EvidenceSource
    outcome_explanation: str
    outcome_revision: int
    def __init__(self, id: _Optional[str] = ..., lead_id: _Optional[str] = ..., agent_id: _Optional[str] = ..., account_id: _Optional[str] = ..., binding_id: _Optional[str] = ..., masked_number: _Optional[str] = ..., mode: _Optional[_Union[CallMode, str]] = ..., state: _Optional[_Union[CallState, str]] = ..., outcome: _Optional[_Union[_call_pb2.CallOutcome, str]] = ..., attempt_number: _Optional[int] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ring_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., answer_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., release_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., talk_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., release_direction: _Optional[_Union[ReleaseDirection, str]] = ..., evidence: _Optional[_Iterable[_Union[CallEvidence, _Mapping]]] = ..., recording: _Optional[_Union[Recording, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ring_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., decided_by: _Optional[_Union[EvidenceSource, str]] = ..., outcome_explanation: _Optional[str] = ..., outcome_revision: _Optional[int] = ...) -> None: ...

class StartCallRequest(_message.Message):
    __slots__ = ("lead_id", "agent_id", "request_id", "mode")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    agent_id: str
    request_id: str
    mode: CallMode
    def __init__(self, lead_id: _Optional[str] = ..., agent_id: _Optional[str] = ..., request_id: _Optional[str] = ..., mode: _Optional[_Union[CallMode, str]] = ...) -> None: ...

class StartCallResponse(_message.Message):
    __slots__ = ("call", "binding", "dial_number")
    CALL_FIELD_NUMBER: _ClassVar[int]
    BINDING_FIELD_NUMBER: _ClassVar[int]
    DIAL_NUMBER_FIELD_NUMBER: _ClassVar[int]
    call: Call
    binding: Binding
    dial_number: str
    def __init__(self, call: _Optional[_Union[Call, _Mapping]] = ..., binding: _Optional[_Union[Binding, _Mapping]] = ..., dial_number: _Optional[str] = ...) -> None: ...

class EndCallRequest(_message.Message):
    __slots__ = ("call_id",)
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    def __init__(self, call_id: _Optional[str] = ...) -> None: ...

class EndCallResponse(_message.Message):
    __slots__ = ("call",)
    CALL_FIELD_NUMBER: _ClassVar[int]
    call: Call
    def __init__(self, call: _Optional[_Union[Call, _Mapping]] = ...) -> None: ...

class GetCallRequest(_message.Message):
    __slots__ = ("call_id",)
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    def __init__(self, call_id: _Optional[str] = ...) -> None: ...

class GetCallResponse(_message.Message):
    __slots__ = ("call",)
    CALL_FIELD_NUMBER: _ClassVar[int]
    call: Call
    def __init__(self, call: _Optional[_Union[Call, _Mapping]] = ...) -> None: ...

class ListCallsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "lead_id", "agent_id", "outcome", "dial_start_time", "dial_end_time")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    DIAL_START_TIME_FIELD_NUMBER: _ClassVar[int]
    DIAL_END_TIME_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    lead_id: str
    agent_id: str
    outcome: _call_pb2.CallOutcome
    dial_start_time: _timestamp_pb2.Timestamp
    dial_end_time: _timestamp_pb2.Timestamp
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., lead_id: _Optional[str] = ..., agent_id: _Optional[str] = ..., outcome: _Optional[_Union[_call_pb2.CallOutcome, str]] = ..., dial_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., dial_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListCallsResponse(_message.Message):
    __slots__ = ("calls", "next_page_token")
    CALLS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    calls: _containers.RepeatedCompositeFieldContainer[Call]
    next_page_token: str
    def __init__(self, calls: _Optional[_Iterable[_Union[Call, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ReleaseBindingRequest(_message.Message):
    __slots__ = ("binding_id",)
    BINDING_ID_FIELD_NUMBER: _ClassVar[int]
    binding_id: str
    def __init__(self, binding_id: _Optional[str] = ...) -> None: ...

class ReleaseBindingResponse(_message.Message):
    __slots__ = ("binding",)
    BINDING_FIELD_NUMBER: _ClassVar[int]
    binding: Binding
    def __init__(self, binding: _Optional[_Union[Binding, _Mapping]] = ...) -> None: ...

class ReportCallEventRequest(_message.Message):
    __slots__ = ("provider", "provider_event_id", "call_id", "provider_call_id", "type", "event_time", "carrier_status_code", "announcement_text", "sip_code", "q850_cause", "release_direction", "recording", "raw", "times", "provider_binding_id", "aliyun", "huawei", "tencent_cloud", "kuaishou", "tencent_ads", "freeswitch")
    class RawEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_CALL_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    CARRIER_STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
    ANNOUNCEMENT_TEXT_FIELD_NUMBER: _ClassVar[int]
    SIP_CODE_FIELD_NUMBER: _ClassVar[int]
    Q850_CAUSE_FIELD_NUMBER: _ClassVar[int]
    RELEASE_DIRECTION_FIELD_NUMBER: _ClassVar[int]
    RECORDING_FIELD_NUMBER: _ClassVar[int]
    RAW_FIELD_NUMBER: _ClassVar[int]
    TIMES_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_BINDING_ID_FIELD_NUMBER: _ClassVar[int]
    ALIYUN_FIELD_NUMBER: _ClassVar[int]
    HUAWEI_FIELD_NUMBER: _ClassVar[int]
    TENCENT_CLOUD_FIELD_NUMBER: _ClassVar[int]
    KUAISHOU_FIELD_NUMBER: _ClassVar[int]
    TENCENT_ADS_FIELD_NUMBER: _ClassVar[int]
    FREESWITCH_FIELD_NUMBER: _ClassVar[int]
    provider: str
    provider_event_id: str
    call_id: str
    provider_call_id: str
    type: CallEventType
    event_time: _timestamp_pb2.Timestamp
    carrier_status_code: str
    announcement_text: str
    sip_code: int
    q850_cause: int
    release_direction: ReleaseDirection
    recording: Recording
    raw: _containers.ScalarMap[str, str]
    times: CarrierCallTimes
    provider_binding_id: str
    aliyun: AliyunCallCodes
    huawei: HuaweiCallCodes
    tencent_cloud: TencentCloudCallCodes
    kuaishou: KuaishouCallCodes
    tencent_ads: TencentAdsCallCodes
    freeswitch: FreeswitchCallCodes
    def __init__(self, provider: _Optional[str] = ..., provider_event_id: _Optional[str] = ..., call_id: _Optional[str] = ..., provider_call_id: _Optional[str] = ..., type: _Optional[_Union[CallEventType, str]] = ..., event_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., carrier_status_code: _Optional[str] = ..., announcement_text: _Optional[str] = ..., sip_code: _Optional[int] = ..., q850_cause: _Optional[int] = ..., release_direction: _Optional[_Union[ReleaseDirection, str]] = ..., recording: _Optional[_Union[Recording, _Mapping]] = ..., raw: _Optional[_Mapping[str, str]] = ..., times: _Optional[_Union[CarrierCallTimes, _Mapping]] = ..., provider_binding_id: _Optional[str] = ..., aliyun: _Optional[_Union[AliyunCallCodes, _Mapping]] = ..., huawei: _Optional[_Union[HuaweiCallCodes, _Mapping]] = ..., tencent_cloud: _Optional[_Union[TencentCloudCallCodes, _Mapping]] = ..., kuaishou: _Optional[_Union[KuaishouCallCodes, _Mapping]] = ..., tencent_ads: _Optional[_Union[TencentAdsCallCodes, _Mapping]] = ..., freeswitch: _Optional[_Union[FreeswitchCallCodes, _Mapping]] = ...) -> None: ...

class CarrierTime(_message.Message):
    __slots__ = ("time", "utc_offset")
    TIME_FIELD_NUMBER: _ClassVar[int]
    UTC_OFFSET_FIELD_NUMBER: _ClassVar[int]
    time: _timestamp_pb2.Timestamp
    utc_offset: _duration_pb2.Duration
    def __init__(self, time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., utc_offset: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class CarrierCallTimes(_message.Message):
    __slots__ = ("dial_time", "ring_time", "answer_time", "release_time", "answer_stated")
    DIAL_TIME_FIELD_NUMBER: _ClassVar[int]
    RING_TIME_FIELD_NUMBER: _ClassVar[int]
    ANSWER_TIME_FIELD_NUMBER: _ClassVar[int]
    RELEASE_TIME_FIELD_NUMBER: _ClassVar[int]
    ANSWER_STATED_FIELD_NUMBER: _ClassVar[int]
    dial_time: CarrierTime
    ring_time: CarrierTime
    answer_time: CarrierTime
    release_time: CarrierTime
    answer_stated: bool
    def __init__(self, dial_time: _Optional[_Union[CarrierTime, _Mapping]] = ..., ring_time: _Optional[_Union[CarrierTime, _Mapping]] = ..., answer_time: _Optional[_Union[CarrierTime, _Mapping]] = ..., release_time: _Optional[_Union[CarrierTime, _Mapping]] = ..., answer_stated: _Optional[bool] = ...) -> None: ...

class AliyunCallCodes(_message.Message):
    __slots__ = ("release_cause", "unconnected_cause", "call_type", "release_dir")
    RELEASE_CAUSE_FIELD_NUMBER: _ClassVar[int]
    UNCONNECTED_CAUSE_FIELD_NUMBER: _ClassVar[int]
    CALL_TYPE_FIELD_NUMBER: _ClassVar[int]
    RELEASE_DIR_FIELD_NUMBER: _ClassVar[int]
    release_cause: int
    unconnected_cause: int
    call_type: int
    release_dir: int
    def __init__(self, release_cause: _Optional[int] = ..., unconnected_cause: _Optional[int] = ..., call_type: _Optional[int] = ..., release_dir: _Optional[int] = ...) -> None: ...

class HuaweiCallCodes(_message.Message):
    __slots__ = ("state_code", "fwd_unasw_rsn", "ul_fail_reason", "sip_status_code")
    STATE_CODE_FIELD_NUMBER: _ClassVar[int]
    FWD_UNASW_RSN_FIELD_NUMBER: _ClassVar[int]
    UL_FAIL_REASON_FIELD_NUMBER: _ClassVar[int]
    SIP_STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
    state_code: int
    fwd_unasw_rsn: int
    ul_fail_reason: int
    sip_status_code: int
    def __init__(self, state_code: _Optional[int] = ..., fwd_unasw_rsn: _Optional[int] = ..., ul_fail_reason: _Optional[int] = ..., sip_status_code: _Optional[int] = ...) -> None: ...

class TencentCloudCallCodes(_message.Message):
    __slots__ = ("call_end_status", "call_end_status_detail")
    CALL_END_STATUS_FIELD_NUMBER: _ClassVar[int]
    CALL_END_STATUS_DETAIL_FIELD_NUMBER: _ClassVar[int]
    call_end_status: int
    call_end_status_detail: int
    def __init__(self, call_end_status: _Optional[int] = ..., call_end_status_detail: _Optional[int] = ...) -> None: ...

class KuaishouCallCodes(_message.Message):
    __slots__ = ("phone_stat",)
    PHONE_STAT_FIELD_NUMBER: _ClassVar[int]
    phone_stat: str
    def __init__(self, phone_stat: _Optional[str] = ...) -> None: ...

class TencentAdsCallCodes(_message.Message):
    __slots__ = ("end_status",)
    END_STATUS_FIELD_NUMBER: _ClassVar[int]
    end_status: str
    def __init__(self, end_status: _Optional[str] = ...) -> None: ...

class FreeswitchCallCodes(_message.Message):
    __slots__ = ("hangup_cause",)
    HANGUP_CAUSE_FIELD_NUMBER: _ClassVar[int]
    hangup_cause: str
    def __init__(self, hangup_cause: _Optional[str] = ...) -> None: ...

class ReportCallEventResponse(_message.Message):
    __slots__ = ("call", "duplicate")
    CALL_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    call: Call
    duplicate: bool
    def __init__(self, call: _Optional[_Union[Call, _Mapping]] = ..., duplicate: _Optional[bool] = ...) -> None: ...

class TelephonySettings(_message.Message):
    __slots__ = ("callable_hours", "default_time_zone", "binding_ttl", "max_concurrent_bindings", "max_daily_calls", "quarantine_window_calls", "quarantine_ratio", "quarantine_duration", "update_time")
    CALLABLE_HOURS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    BINDING_TTL_FIELD_NUMBER: _ClassVar[int]
    MAX_CONCURRENT_BINDINGS_FIELD_NUMBER: _ClassVar[int]
    MAX_DAILY_CALLS_FIELD_NUMBER: _ClassVar[int]
    QUARANTINE_WINDOW_CALLS_FIELD_NUMBER: _ClassVar[int]
    QUARANTINE_RATIO_FIELD_NUMBER: _ClassVar[int]
    QUARANTINE_DURATION_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    callable_hours: _schedule_pb2.DailyWindow
    default_time_zone: str
    binding_ttl: _duration_pb2.Duration
    max_concurrent_bindings: int
    max_daily_calls: int
    quarantine_window_calls: int
    quarantine_ratio: float
    quarantine_duration: _duration_pb2.Duration
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, callable_hours: _Optional[_Union[_schedule_pb2.DailyWindow, _Mapping]] = ..., default_time_zone: _Optional[str] = ..., binding_ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., max_concurrent_bindings: _Optional[int] = ..., max_daily_calls: _Optional[int] = ..., quarantine_window_calls: _Optional[int] = ..., quarantine_ratio: _Optional[float] = ..., quarantine_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetTelephonySettingsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetTelephonySettingsResponse(_message.Message):
    __slots__ = ("settings",)
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    settings: TelephonySettings
    def __init__(self, settings: _Optional[_Union[TelephonySettings, _Mapping]] = ...) -> None: ...

class UpdateTelephonySettingsRequest(_message.Message):
    __slots__ = ("settings", "update_mask")
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    settings: TelephonySettings
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, settings: _Optional[_Union[TelephonySettings, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateTelephonySettingsResponse(_message.Message):
    __slots__ = ("settings",)
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    settings: TelephonySettings
    def __init__(self, settings: _Optional[_Union[TelephonySettings, _Mapping]] = ...) -> None: ...
