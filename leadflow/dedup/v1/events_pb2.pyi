import datetime

from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from leadflow.dedup.v1 import dedup_service_pb2 as _dedup_service_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DedupPolicyChanged(_message.Message):
    __slots__ = ("event_id", "tenant_id", "occurred_time", "account_id", "old_policy", "new_policy", "changed_fields", "changed_by", "affected_account_ids")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_TIME_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    OLD_POLICY_FIELD_NUMBER: _ClassVar[int]
    NEW_POLICY_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    CHANGED_BY_FIELD_NUMBER: _ClassVar[int]
    AFFECTED_ACCOUNT_IDS_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    tenant_id: str
    occurred_time: _timestamp_pb2.Timestamp
    account_id: str
    old_policy: _dedup_service_pb2.DedupPolicy
    new_policy: _dedup_service_pb2.DedupPolicy
    changed_fields: _field_mask_pb2.FieldMask
    changed_by: str
    affected_account_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, event_id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., occurred_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., account_id: _Optional[str] = ..., old_policy: _Optional[_Union[_dedup_service_pb2.DedupPolicy, _Mapping]] = ..., new_policy: _Optional[_Union[_dedup_service_pb2.DedupPolicy, _Mapping]] = ..., changed_fields: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., changed_by: _Optional[str] = ..., affected_account_ids: _Optional[_Iterable[str]] = ...) -> None: ...
