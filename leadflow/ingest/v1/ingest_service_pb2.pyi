import datetime

from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from leadflow.common.v1 import errors_pb2 as _errors_pb2
from leadflow.common.v1 import lead_pb2 as _lead_pb2
from leadflow.common.v1 import money_pb2 as _money_pb2
from leadflow.common.v1 import region_pb2 as _region_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RejectionCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REJECTION_CODE_UNSPECIFIED: _ClassVar[RejectionCode]
    REJECTION_CODE_PHONE_EMPTY: _ClassVar[RejectionCode]
    REJECTION_CODE_PHONE_INVALID: _ClassVar[RejectionCode]
    REJECTION_CODE_PHONE_LANDLINE_NOT_ALLOWED: _ClassVar[RejectionCode]
    REJECTION_CODE_PHONE_DEAD_NUMBER: _ClassVar[RejectionCode]
    REJECTION_CODE_WECHAT_INVALID: _ClassVar[RejectionCode]
    REJECTION_CODE_EMAIL_INVALID: _ClassVar[RejectionCode]
    REJECTION_CODE_IP_INVALID: _ClassVar[RejectionCode]
    REJECTION_CODE_BLOCKLISTED_PHONE: _ClassVar[RejectionCode]
    REJECTION_CODE_SENSITIVE_WORD: _ClassVar[RejectionCode]
    REJECTION_CODE_CONTACT_MISSING: _ClassVar[RejectionCode]
    REJECTION_CODE_CONSENT_MISSING: _ClassVar[RejectionCode]
    REJECTION_CODE_SUBMIT_TIME_IN_FUTURE: _ClassVar[RejectionCode]

class BlocklistEntryKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BLOCKLIST_ENTRY_KIND_UNSPECIFIED: _ClassVar[BlocklistEntryKind]
    BLOCKLIST_ENTRY_KIND_PHONE: _ClassVar[BlocklistEntryKind]
    BLOCKLIST_ENTRY_KIND_KEYWORD: _ClassVar[BlocklistEntryKind]

class PushEventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PUSH_EVENT_TYPE_UNSPECIFIED: _ClassVar[PushEventType]
    PUSH_EVENT_TYPE_LEAD_ACCEPTED: _ClassVar[PushEventType]
    PUSH_EVENT_TYPE_LEAD_STATUS_CHANGED: _ClassVar[PushEventType]

class PushDeliveryStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PUSH_DELIVERY_STATUS_UNSPECIFIED: _ClassVar[PushDeliveryStatus]
    PUSH_DELIVERY_STATUS_PENDING: _ClassVar[PushDeliveryStatus]
    PUSH_DELIVERY_STATUS_DELIVERED: _ClassVar[PushDeliveryStatus]
    PUSH_DELIVERY_STATUS_FAILED: _ClassVar[PushDeliveryStatus]
    PUSH_DELIVERY_STATUS_GAVE_UP: _ClassVar[PushDeliveryStatus]
REJECTION_CODE_UNSPECIFIED: RejectionCode
REJECTION_CODE_PHONE_EMPTY: RejectionCode
REJECTION_CODE_PHONE_INVALID: RejectionCode
REJECTION_CODE_PHONE_LANDLINE_NOT_ALLOWED: RejectionCode
REJECTION_CODE_PHONE_DEAD_NUMBER: RejectionCode
REJECTION_CODE_WECHAT_INVALID: RejectionCode
REJECTION_CODE_EMAIL_INVALID: RejectionCode
REJECTION_CODE_IP_INVALID: RejectionCode
REJECTION_CODE_BLOCKLISTED_PHONE: RejectionCode
REJECTION_CODE_SENSITIVE_WORD: RejectionCode
REJECTION_CODE_CONTACT_MISSING: RejectionCode
REJECTION_CODE_CONSENT_MISSING: RejectionCode
REJECTION_CODE_SUBMIT_TIME_IN_FUTURE: RejectionCode
BLOCKLIST_ENTRY_KIND_UNSPECIFIED: BlocklistEntryKind
BLOCKLIST_ENTRY_KIND_PHONE: BlocklistEntryKind
BLOCKLIST_ENTRY_KIND_KEYWORD: BlocklistEntryKind
PUSH_EVENT_TYPE_UNSPECIFIED: PushEventType
PUSH_EVENT_TYPE_LEAD_ACCEPTED: PushEventType
PUSH_EVENT_TYPE_LEAD_STATUS_CHANGED: PushEventType
PUSH_DELIVERY_STATUS_UNSPECIFIED: PushDeliveryStatus
PUSH_DELIVERY_STATUS_PENDING: PushDeliveryStatus
PUSH_DELIVERY_STATUS_DELIVERED: PushDeliveryStatus
PUSH_DELIVERY_STATUS_FAILED: PushDeliveryStatus
PUSH_DELIVERY_STATUS_GAVE_UP: PushDeliveryStatus

class Lead(_message.Message):
    __slots__ = ("id", "account_ids", "status", "verdict", "phone", "phone_from_wechat", "wechat", "email", "ip", "device_id", "name", "phone_region", "invalid_reason", "first_submit_time", "last_submit_time", "submission_count", "create_time", "update_time", "returning_of_lead_id", "phone_extension", "alternate_phones", "erase_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_IDS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    PHONE_FROM_WECHAT_FIELD_NUMBER: _ClassVar[int]
    WECHAT_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    IP_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PHONE_REGION_FIELD_NUMBER: _ClassVar[int]
    INVALID_REASON_FIELD_NUMBER: _ClassVar[int]
    FIRST_SUBMIT_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_SUBMIT_TIME_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_COUNT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    RETURNING_OF_LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    PHONE_EXTENSION_FIELD_NUMBER: _ClassVar[int]
    ALTERNATE_PHONES_FIELD_NUMBER: _ClassVar[int]
    ERASE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    account_ids: _containers.RepeatedScalarFieldContainer[str]
    status: _lead_pb2.LeadStatus
    verdict: _lead_pb2.LeadVerdict
    phone: str
    phone_from_wechat: bool
    wechat: str
    email: str
    ip: str
    device_id: str
    name: str
    phone_region: _region_pb2.Region
    invalid_reason: str
    first_submit_time: _timestamp_pb2.Timestamp
    last_submit_time: _timestamp_pb2.Timestamp
    submission_count: int
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    returning_of_lead_id: str
    phone_extension: str
    alternate_phones: _containers.RepeatedScalarFieldContainer[str]
    erase_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., account_ids: _Optional[_Iterable[str]] = ..., status: _Optional[_Union[_lead_pb2.LeadStatus, str]] = ..., verdict: _Optional[_Union[_lead_pb2.LeadVerdict, str]] = ..., phone: _Optional[str] = ..., phone_from_wechat: _Optional[bool] = ..., wechat: _Optional[str] = ..., email: _Optional[str] = ..., ip: _Optional[str] = ..., device_id: _Optional[str] = ..., name: _Optional[str] = ..., phone_region: _Optional[_Union[_region_pb2.Region, _Mapping]] = ..., invalid_reason: _Optional[str] = ..., first_submit_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_submit_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., submission_count: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., returning_of_lead_id: _Optional[str] = ..., phone_extension: _Optional[str] = ..., alternate_phones: _Optional[_Iterable[str]] = ..., erase_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Submission(_message.Message):
    __slots__ = ("id", "lead_id", "account_id", "collect_account_id", "channel", "traffic_source", "business_source", "external_id", "campaign_id", "adgroup_id", "creative_id", "cost", "attributes", "verdict", "rejection_reasons", "matched_dimensions", "consent", "submit_time", "create_time")
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    COLLECT_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    TRAFFIC_SOURCE_FIELD_NUMBER: _ClassVar[int]
    BUSINESS_SOURCE_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    ADGROUP_ID_FIELD_NUMBER: _ClassVar[int]
    CREATIVE_ID_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    REJECTION_REASONS_FIELD_NUMBER: _ClassVar[int]
    MATCHED_DIMENSIONS_FIELD_NUMBER: _ClassVar[int]
    CONSENT_FIELD_NUMBER: _ClassVar[int]
    SUBMIT_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    lead_id: str
    account_id: str
    collect_account_id: str
    channel: _lead_pb2.Channel
    traffic_source: _lead_pb2.TrafficSource
    business_source: _lead_pb2.BusinessSource
    external_id: str
    campaign_id: str
    adgroup_id: str
    creative_id: str
    cost: _money_pb2.Money
    attributes: _containers.ScalarMap[str, str]
    verdict: _lead_pb2.LeadVerdict
    rejection_reasons: _containers.RepeatedCompositeFieldContainer[RejectionReason]
    matched_dimensions: _containers.RepeatedScalarFieldContainer[_lead_pb2.DedupDimension]
    consent: Consent
    submit_time: _timestamp_pb2.Timestamp
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., lead_id: _Optional[str] = ..., account_id: _Optional[str] = ..., collect_account_id: _Optional[str] = ..., channel: _Optional[_Union[_lead_pb2.Channel, str]] = ..., traffic_source: _Optional[_Union[_lead_pb2.TrafficSource, str]] = ..., business_source: _Optional[_Union[_lead_pb2.BusinessSource, str]] = ..., external_id: _Optional[str] = ..., campaign_id: _Optional[str] = ..., adgroup_id: _Optional[str] = ..., creative_id: _Optional[str] = ..., cost: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., attributes: _Optional[_Mapping[str, str]] = ..., verdict: _Optional[_Union[_lead_pb2.LeadVerdict, str]] = ..., rejection_reasons: _Optional[_Iterable[_Union[RejectionReason, _Mapping]]] = ..., matched_dimensions: _Optional[_Iterable[_Union[_lead_pb2.DedupDimension, str]]] = ..., consent: _Optional[_Union[Consent, _Mapping]] = ..., submit_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Consent(_message.Message):
    __slots__ = ("contact", "marketing", "notice_version", "grant_time")
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    MARKETING_FIELD_NUMBER: _ClassVar[int]
    NOTICE_VERSION_FIELD_NUMBER: _ClassVar[int]
    GRANT_TIME_FIELD_NUMBER: _ClassVar[int]
    contact: bool
    marketing: bool
    notice_version: str
    grant_time: _timestamp_pb2.Timestamp
    def __init__(self, contact: _Optional[bool] = ..., marketing: _Optional[bool] = ..., notice_version: _Optional[str] = ..., grant_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Match(_message.Message):
    __slots__ = ("dimension", "lead_id", "first_seen_time")
    DIMENSION_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    FIRST_SEEN_TIME_FIELD_NUMBER: _ClassVar[int]
    dimension: _lead_pb2.DedupDimension
    lead_id: str
    first_seen_time: _timestamp_pb2.Timestamp
    def __init__(self, dimension: _Optional[_Union[_lead_pb2.DedupDimension, str]] = ..., lead_id: _Optional[str] = ..., first_seen_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RejectionReason(_message.Message):
    __slots__ = ("code", "field", "message", "rule")
    CODE_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    RULE_FIELD_NUMBER: _ClassVar[int]
    code: RejectionCode
    field: str
    message: str
    rule: str
    def __init__(self, code: _Optional[_Union[RejectionCode, str]] = ..., field: _Optional[str] = ..., message: _Optional[str] = ..., rule: _Optional[str] = ...) -> None: ...

class SubmitLeadRequest(_message.Message):
    __slots__ = ("account_id", "collect_account_id", "channel", "traffic_source", "business_source", "external_id", "request_id", "name", "phone", "wechat", "email", "ip", "device_id", "campaign_id", "adgroup_id", "creative_id", "cost", "submit_time", "attributes", "consent")
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    COLLECT_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    TRAFFIC_SOURCE_FIELD_NUMBER: _ClassVar[int]
    BUSINESS_SOURCE_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    WECHAT_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    IP_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    ADGROUP_ID_FIELD_NUMBER: _ClassVar[int]
    CREATIVE_ID_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    SUBMIT_TIME_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    CONSENT_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    collect_account_id: str
    channel: _lead_pb2.Channel
    traffic_source: _lead_pb2.TrafficSource
    business_source: _lead_pb2.BusinessSource
    external_id: str
    request_id: str
    name: str
    phone: str
    wechat: str
    email: str
    ip: str
    device_id: str
    campaign_id: str
    adgroup_id: str
    creative_id: str
    cost: _money_pb2.Money
    submit_time: _timestamp_pb2.Timestamp
    attributes: _containers.ScalarMap[str, str]
    consent: Consent
    def __init__(self, account_id: _Optional[str] = ..., collect_account_id: _Optional[str] = ..., channel: _Optional[_Union[_lead_pb2.Channel, str]] = ..., traffic_source: _Optional[_Union[_lead_pb2.TrafficSource, str]] = ..., business_source: _Optional[_Union[_lead_pb2.BusinessSource, str]] = ..., external_id: _Optional[str] = ..., request_id: _Optional[str] = ..., name: _Optional[str] = ..., phone: _Optional[str] = ..., wechat: _Optional[str] = ..., email: _Optional[str] = ..., ip: _Optional[str] = ..., device_id: _Optional[str] = ..., campaign_id: _Optional[str] = ..., adgroup_id: _Optional[str] = ..., creative_id: _Optional[str] = ..., cost: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., submit_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., attributes: _Optional[_Mapping[str, str]] = ..., consent: _Optional[_Union[Consent, _Mapping]] = ...) -> None: ...

class SubmitLeadResponse(_message.Message):
    __slots__ = ("lead", "verdict", "duplicate_of_lead_id", "matches", "rejection_reasons", "submission", "returning_of_lead_id")
    LEAD_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_OF_LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    MATCHES_FIELD_NUMBER: _ClassVar[int]
    REJECTION_REASONS_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_FIELD_NUMBER: _ClassVar[int]
    RETURNING_OF_LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    lead: Lead
    verdict: _lead_pb2.LeadVerdict
    duplicate_of_lead_id: str
    matches: _containers.RepeatedCompositeFieldContainer[Match]
    rejection_reasons: _containers.RepeatedCompositeFieldContainer[RejectionReason]
    submission: Submission
    returning_of_lead_id: str
    def __init__(self, lead: _Optional[_Union[Lead, _Mapping]] = ..., verdict: _Optional[_Union[_lead_pb2.LeadVerdict, str]] = ..., duplicate_of_lead_id: _Optional[str] = ..., matches: _Optional[_Iterable[_Union[Match, _Mapping]]] = ..., rejection_reasons: _Optional[_Iterable[_Union[RejectionReason, _Mapping]]] = ..., submission: _Optional[_Union[Submission, _Mapping]] = ..., returning_of_lead_id: _Optional[str] = ...) -> None: ...

class BatchSubmitLeadsRequest(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[SubmitLeadRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[SubmitLeadRequest, _Mapping]]] = ...) -> None: ...

class BatchSubmitLeadsResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[SubmitLeadResult]
    def __init__(self, results: _Optional[_Iterable[_Union[SubmitLeadResult, _Mapping]]] = ...) -> None: ...

class SubmitLeadResult(_message.Message):
    __slots__ = ("index", "response", "error")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    index: int
    response: SubmitLeadResponse
    error: _errors_pb2.ItemError
    def __init__(self, index: _Optional[int] = ..., response: _Optional[_Union[SubmitLeadResponse, _Mapping]] = ..., error: _Optional[_Union[_errors_pb2.ItemError, _Mapping]] = ...) -> None: ...

class ImportLeadsRequest(_message.Message):
    __slots__ = ("request",)
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    request: SubmitLeadRequest
    def __init__(self, request: _Optional[_Union[SubmitLeadRequest, _Mapping]] = ...) -> None: ...

class ImportLeadsResponse(_message.Message):
    __slots__ = ("received_count", "new_count", "duplicate_count", "returning_count", "rejected_count", "failed_count", "failures", "replayed_count", "rejections")
    RECEIVED_COUNT_FIELD_NUMBER: _ClassVar[int]
    NEW_COUNT_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_COUNT_FIELD_NUMBER: _ClassVar[int]
    RETURNING_COUNT_FIELD_NUMBER: _ClassVar[int]
    REJECTED_COUNT_FIELD_NUMBER: _ClassVar[int]
    FAILED_COUNT_FIELD_NUMBER: _ClassVar[int]
    FAILURES_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_COUNT_FIELD_NUMBER: _ClassVar[int]
    REJECTIONS_FIELD_NUMBER: _ClassVar[int]
    received_count: int
    new_count: int
    duplicate_count: int
    returning_count: int
    rejected_count: int
    failed_count: int
    failures: _containers.RepeatedCompositeFieldContainer[ImportFailure]
    replayed_count: int
    rejections: _containers.RepeatedCompositeFieldContainer[ImportRejection]
    def __init__(self, received_count: _Optional[int] = ..., new_count: _Optional[int] = ..., duplicate_count: _Optional[int] = ..., returning_count: _Optional[int] = ..., rejected_count: _Optional[int] = ..., failed_count: _Optional[int] = ..., failures: _Optional[_Iterable[_Union[ImportFailure, _Mapping]]] = ..., replayed_count: _Optional[int] = ..., rejections: _Optional[_Iterable[_Union[ImportRejection, _Mapping]]] = ...) -> None: ...

class ImportRejection(_message.Message):
    __slots__ = ("index", "reasons")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    index: int
    reasons: _containers.RepeatedCompositeFieldContainer[RejectionReason]
    def __init__(self, index: _Optional[int] = ..., reasons: _Optional[_Iterable[_Union[RejectionReason, _Mapping]]] = ...) -> None: ...

class ImportFailure(_message.Message):
    __slots__ = ("index", "error")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    index: int
    error: _errors_pb2.ItemError
    def __init__(self, index: _Optional[int] = ..., error: _Optional[_Union[_errors_pb2.ItemError, _Mapping]] = ...) -> None: ...

class GetLeadRequest(_message.Message):
    __slots__ = ("lead_id",)
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    def __init__(self, lead_id: _Optional[str] = ...) -> None: ...

class GetLeadResponse(_message.Message):
    __slots__ = ("lead",)
    LEAD_FIELD_NUMBER: _ClassVar[int]
    lead: Lead
    def __init__(self, lead: _Optional[_Union[Lead, _Mapping]] = ...) -> None: ...

class ListLeadsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "account_id", "channel", "traffic_source", "business_source", "verdict", "status", "submit_start_time", "submit_end_time", "has_phone")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    TRAFFIC_SOURCE_FIELD_NUMBER: _ClassVar[int]
    BUSINESS_SOURCE_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SUBMIT_START_TIME_FIELD_NUMBER: _ClassVar[int]
    SUBMIT_END_TIME_FIELD_NUMBER: _ClassVar[int]
    HAS_PHONE_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    account_id: str
    channel: _lead_pb2.Channel
    traffic_source: _lead_pb2.TrafficSource
    business_source: _lead_pb2.BusinessSource
    verdict: _lead_pb2.LeadVerdict
    status: _lead_pb2.LeadStatus
    submit_start_time: _timestamp_pb2.Timestamp
    submit_end_time: _timestamp_pb2.Timestamp
    has_phone: bool
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., account_id: _Optional[str] = ..., channel: _Optional[_Union[_lead_pb2.Channel, str]] = ..., traffic_source: _Optional[_Union[_lead_pb2.TrafficSource, str]] = ..., business_source: _Optional[_Union[_lead_pb2.BusinessSource, str]] = ..., verdict: _Optional[_Union[_lead_pb2.LeadVerdict, str]] = ..., status: _Optional[_Union[_lead_pb2.LeadStatus, str]] = ..., submit_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., submit_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., has_phone: _Optional[bool] = ...) -> None: ...

class ListLeadsResponse(_message.Message):
    __slots__ = ("leads", "next_page_token", "total_size")
    LEADS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    leads: _containers.RepeatedCompositeFieldContainer[Lead]
    next_page_token: str
    total_size: int
    def __init__(self, leads: _Optional[_Iterable[_Union[Lead, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class ListLeadSubmissionsRequest(_message.Message):
    __slots__ = ("lead_id", "page_size", "page_token", "account_id", "verdict", "submit_start_time", "submit_end_time")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    SUBMIT_START_TIME_FIELD_NUMBER: _ClassVar[int]
    SUBMIT_END_TIME_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    page_size: int
    page_token: str
    account_id: str
    verdict: _lead_pb2.LeadVerdict
    submit_start_time: _timestamp_pb2.Timestamp
    submit_end_time: _timestamp_pb2.Timestamp
    def __init__(self, lead_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., account_id: _Optional[str] = ..., verdict: _Optional[_Union[_lead_pb2.LeadVerdict, str]] = ..., submit_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., submit_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListLeadSubmissionsResponse(_message.Message):
    __slots__ = ("submissions", "next_page_token")
    SUBMISSIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    submissions: _containers.RepeatedCompositeFieldContainer[Submission]
    next_page_token: str
    def __init__(self, submissions: _Optional[_Iterable[_Union[Submission, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class BlocklistEntry(_message.Message):
    __slots__ = ("kind", "value", "note", "create_time")
    KIND_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    kind: BlocklistEntryKind
    value: str
    note: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, kind: _Optional[_Union[BlocklistEntryKind, str]] = ..., value: _Optional[str] = ..., note: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SetBlocklistRequest(_message.Message):
    __slots__ = ("entries",)
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[BlocklistEntry]
    def __init__(self, entries: _Optional[_Iterable[_Union[BlocklistEntry, _Mapping]]] = ...) -> None: ...

class SetBlocklistResponse(_message.Message):
    __slots__ = ("phone_count", "keyword_count", "update_time")
    PHONE_COUNT_FIELD_NUMBER: _ClassVar[int]
    KEYWORD_COUNT_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    phone_count: int
    keyword_count: int
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, phone_count: _Optional[int] = ..., keyword_count: _Optional[int] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListBlocklistRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "kind")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    kind: BlocklistEntryKind
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., kind: _Optional[_Union[BlocklistEntryKind, str]] = ...) -> None: ...

class ListBlocklistResponse(_message.Message):
    __slots__ = ("entries", "next_page_token")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[BlocklistEntry]
    next_page_token: str
    def __init__(self, entries: _Optional[_Iterable[_Union[BlocklistEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class PushRule(_message.Message):
    __slots__ = ("account_id", "endpoint_url", "enabled", "selected_fields", "secret", "has_secret", "update_time", "event_types")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    ENDPOINT_URL_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    SELECTED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    SECRET_FIELD_NUMBER: _ClassVar[int]
    HAS_SECRET_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    endpoint_url: str
    enabled: bool
    selected_fields: _containers.RepeatedScalarFieldContainer[str]
    secret: str
    has_secret: bool
    update_time: _timestamp_pb2.Timestamp
    event_types: _containers.RepeatedScalarFieldContainer[PushEventType]
    def __init__(self, account_id: _Optional[str] = ..., endpoint_url: _Optional[str] = ..., enabled: _Optional[bool] = ..., selected_fields: _Optional[_Iterable[str]] = ..., secret: _Optional[str] = ..., has_secret: _Optional[bool] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., event_types: _Optional[_Iterable[_Union[PushEventType, str]]] = ...) -> None: ...

class SetPushRuleRequest(_message.Message):
    __slots__ = ("push_rule", "request_id")
    PUSH_RULE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    push_rule: PushRule
    request_id: str
    def __init__(self, push_rule: _Optional[_Union[PushRule, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class SetPushRuleResponse(_message.Message):
    __slots__ = ("push_rule",)
    PUSH_RULE_FIELD_NUMBER: _ClassVar[int]
    push_rule: PushRule
    def __init__(self, push_rule: _Optional[_Union[PushRule, _Mapping]] = ...) -> None: ...

class GetPushRuleRequest(_message.Message):
    __slots__ = ("account_id",)
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    def __init__(self, account_id: _Optional[str] = ...) -> None: ...

class GetPushRuleResponse(_message.Message):
    __slots__ = ("push_rule",)
    PUSH_RULE_FIELD_NUMBER: _ClassVar[int]
    push_rule: PushRule
    def __init__(self, push_rule: _Optional[_Union[PushRule, _Mapping]] = ...) -> None: ...

class PushDelivery(_message.Message):
    __slots__ = ("id", "lead_id", "account_id", "attempt_count", "status", "last_http_status", "last_error", "next_attempt_time", "create_time", "update_time", "deliver_time", "event_type")
    ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_COUNT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LAST_HTTP_STATUS_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    NEXT_ATTEMPT_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    DELIVER_TIME_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    id: str
    lead_id: str
    account_id: str
    attempt_count: int
    status: PushDeliveryStatus
    last_http_status: int
    last_error: str
    next_attempt_time: _timestamp_pb2.Timestamp
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    deliver_time: _timestamp_pb2.Timestamp
    event_type: PushEventType
    def __init__(self, id: _Optional[str] = ..., lead_id: _Optional[str] = ..., account_id: _Optional[str] = ..., attempt_count: _Optional[int] = ..., status: _Optional[_Union[PushDeliveryStatus, str]] = ..., last_http_status: _Optional[int] = ..., last_error: _Optional[str] = ..., next_attempt_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., deliver_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., event_type: _Optional[_Union[PushEventType, str]] = ...) -> None: ...

class ListPushDeliveriesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "lead_id", "account_id", "status")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    lead_id: str
    account_id: str
    status: PushDeliveryStatus
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., lead_id: _Optional[str] = ..., account_id: _Optional[str] = ..., status: _Optional[_Union[PushDeliveryStatus, str]] = ...) -> None: ...

class ListPushDeliveriesResponse(_message.Message):
    __slots__ = ("deliveries", "next_page_token")
    DELIVERIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    deliveries: _containers.RepeatedCompositeFieldContainer[PushDelivery]
    next_page_token: str
    def __init__(self, deliveries: _Optional[_Iterable[_Union[PushDelivery, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class IngestSettings(_message.Message):
    __slots__ = ("default_region", "landline_allowed", "phone_extension_allowed", "alternate_phones_kept", "update_time")
    DEFAULT_REGION_FIELD_NUMBER: _ClassVar[int]
    LANDLINE_ALLOWED_FIELD_NUMBER: _ClassVar[int]
    PHONE_EXTENSION_ALLOWED_FIELD_NUMBER: _ClassVar[int]
    ALTERNATE_PHONES_KEPT_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    default_region: str
    landline_allowed: bool
    phone_extension_allowed: bool
    alternate_phones_kept: bool
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, default_region: _Optional[str] = ..., landline_allowed: _Optional[bool] = ..., phone_extension_allowed: _Optional[bool] = ..., alternate_phones_kept: _Optional[bool] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetIngestSettingsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetIngestSettingsResponse(_message.Message):
    __slots__ = ("settings",)
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    settings: IngestSettings
    def __init__(self, settings: _Optional[_Union[IngestSettings, _Mapping]] = ...) -> None: ...

class UpdateIngestSettingsRequest(_message.Message):
    __slots__ = ("settings", "update_mask")
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    settings: IngestSettings
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, settings: _Optional[_Union[IngestSettings, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateIngestSettingsResponse(_message.Message):
    __slots__ = ("settings",)
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    settings: IngestSettings
    def __init__(self, settings: _Optional[_Union[IngestSettings, _Mapping]] = ...) -> None: ...

class EraseLeadRequest(_message.Message):
    __slots__ = ("lead_id",)
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    def __init__(self, lead_id: _Optional[str] = ...) -> None: ...

class EraseLeadResponse(_message.Message):
    __slots__ = ("lead", "keys_forgotten")
    LEAD_FIELD_NUMBER: _ClassVar[int]
    KEYS_FORGOTTEN_FIELD_NUMBER: _ClassVar[int]
    lead: Lead
    keys_forgotten: bool
    def __init__(self, lead: _Optional[_Union[Lead, _Mapping]] = ..., keys_forgotten: _Optional[bool] = ...) -> None: ...
