import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from leadflow.common.v1 import encryption_pb2 as _encryption_pb2
from leadflow.common.v1 import lead_pb2 as _lead_pb2
from leadflow.common.v1 import money_pb2 as _money_pb2
from leadflow.common.v1 import region_pb2 as _region_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as _ingest_service_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LeadAccepted(_message.Message):
    __slots__ = ("event_id", "tenant_id", "occurred_time", "lead_id", "submission_id", "account_id", "collect_account_id", "account_ids", "verdict", "returning_of_lead_id", "channel", "traffic_source", "business_source", "campaign_id", "adgroup_id", "creative_id", "cost", "submit_time", "encrypted_phone", "phone_region", "phone_from_wechat")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_TIME_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    COLLECT_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_IDS_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    RETURNING_OF_LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    TRAFFIC_SOURCE_FIELD_NUMBER: _ClassVar[int]
    BUSINESS_SOURCE_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    ADGROUP_ID_FIELD_NUMBER: _ClassVar[int]
    CREATIVE_ID_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    SUBMIT_TIME_FIELD_NUMBER: _ClassVar[int]
    ENCRYPTED_PHONE_FIELD_NUMBER: _ClassVar[int]
    PHONE_REGION_FIELD_NUMBER: _ClassVar[int]
    PHONE_FROM_WECHAT_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    tenant_id: str
    occurred_time: _timestamp_pb2.Timestamp
    lead_id: str
    submission_id: str
    account_id: str
    collect_account_id: str
    account_ids: _containers.RepeatedScalarFieldContainer[str]
    verdict: _lead_pb2.LeadVerdict
    returning_of_lead_id: str
    channel: _lead_pb2.Channel
    traffic_source: _lead_pb2.TrafficSource
    business_source: _lead_pb2.BusinessSource
    campaign_id: str
    adgroup_id: str
    creative_id: str
    cost: _money_pb2.Money
    submit_time: _timestamp_pb2.Timestamp
    encrypted_phone: _encryption_pb2.EncryptedValue
    phone_region: _region_pb2.Region
    phone_from_wechat: bool
    def __init__(self, event_id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., occurred_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., lead_id: _Optional[str] = ..., submission_id: _Optional[str] = ..., account_id: _Optional[str] = ..., collect_account_id: _Optional[str] = ..., account_ids: _Optional[_Iterable[str]] = ..., verdict: _Optional[_Union[_lead_pb2.LeadVerdict, str]] = ..., returning_of_lead_id: _Optional[str] = ..., channel: _Optional[_Union[_lead_pb2.Channel, str]] = ..., traffic_source: _Optional[_Union[_lead_pb2.TrafficSource, str]] = ..., business_source: _Optional[_Union[_lead_pb2.BusinessSource, str]] = ..., campaign_id: _Optional[str] = ..., adgroup_id: _Optional[str] = ..., creative_id: _Optional[str] = ..., cost: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., submit_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., encrypted_phone: _Optional[_Union[_encryption_pb2.EncryptedValue, _Mapping]] = ..., phone_region: _Optional[_Union[_region_pb2.Region, _Mapping]] = ..., phone_from_wechat: _Optional[bool] = ...) -> None: ...

class LeadDuplicate(_message.Message):
    __slots__ = ("event_id", "tenant_id", "occurred_time", "lead_id", "submission_id", "account_id", "matched_dimensions", "cost", "submit_time", "channel")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_TIME_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    MATCHED_DIMENSIONS_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    SUBMIT_TIME_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    tenant_id: str
    occurred_time: _timestamp_pb2.Timestamp
    lead_id: str
    submission_id: str
    account_id: str
    matched_dimensions: _containers.RepeatedScalarFieldContainer[_lead_pb2.DedupDimension]
    cost: _money_pb2.Money
    submit_time: _timestamp_pb2.Timestamp
    channel: _lead_pb2.Channel
    def __init__(self, event_id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., occurred_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., lead_id: _Optional[str] = ..., submission_id: _Optional[str] = ..., account_id: _Optional[str] = ..., matched_dimensions: _Optional[_Iterable[_Union[_lead_pb2.DedupDimension, str]]] = ..., cost: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., submit_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., channel: _Optional[_Union[_lead_pb2.Channel, str]] = ...) -> None: ...

class LeadRejected(_message.Message):
    __slots__ = ("event_id", "tenant_id", "occurred_time", "submission_id", "account_id", "reasons", "submit_time", "channel")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_TIME_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    SUBMIT_TIME_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    tenant_id: str
    occurred_time: _timestamp_pb2.Timestamp
    submission_id: str
    account_id: str
    reasons: _containers.RepeatedScalarFieldContainer[_ingest_service_pb2.RejectionCode]
    submit_time: _timestamp_pb2.Timestamp
    channel: _lead_pb2.Channel
    def __init__(self, event_id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., occurred_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., submission_id: _Optional[str] = ..., account_id: _Optional[str] = ..., reasons: _Optional[_Iterable[_Union[_ingest_service_pb2.RejectionCode, str]]] = ..., submit_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., channel: _Optional[_Union[_lead_pb2.Channel, str]] = ...) -> None: ...

class LeadErased(_message.Message):
    __slots__ = ("event_id", "tenant_id", "occurred_time", "lead_id", "account_ids")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_TIME_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_IDS_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    tenant_id: str
    occurred_time: _timestamp_pb2.Timestamp
    lead_id: str
    account_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, event_id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., occurred_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., lead_id: _Optional[str] = ..., account_ids: _Optional[_Iterable[str]] = ...) -> None: ...
