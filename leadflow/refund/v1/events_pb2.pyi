import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from leadflow.common.v1 import money_pb2 as _money_pb2
from leadflow.refund.v1 import refund_service_pb2 as _refund_service_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RefundIssued(_message.Message):
    __slots__ = ("event_id", "tenant_id", "occurred_time", "refund_id", "case_id", "lead_id", "submission_id", "account_id", "amount", "reason", "evidence_summary")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_TIME_FIELD_NUMBER: _ClassVar[int]
    REFUND_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    tenant_id: str
    occurred_time: _timestamp_pb2.Timestamp
    refund_id: str
    case_id: str
    lead_id: str
    submission_id: str
    account_id: str
    amount: _money_pb2.Money
    reason: _refund_service_pb2.RefundReason
    evidence_summary: str
    def __init__(self, event_id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., occurred_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., refund_id: _Optional[str] = ..., case_id: _Optional[str] = ..., lead_id: _Optional[str] = ..., submission_id: _Optional[str] = ..., account_id: _Optional[str] = ..., amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., reason: _Optional[_Union[_refund_service_pb2.RefundReason, str]] = ..., evidence_summary: _Optional[str] = ...) -> None: ...

class RefundRejected(_message.Message):
    __slots__ = ("event_id", "tenant_id", "occurred_time", "case_id", "lead_id", "submission_id", "account_id", "state", "reason", "evidence_summary", "appeal_id")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_TIME_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    APPEAL_ID_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    tenant_id: str
    occurred_time: _timestamp_pb2.Timestamp
    case_id: str
    lead_id: str
    submission_id: str
    account_id: str
    state: _refund_service_pb2.CaseState
    reason: _refund_service_pb2.RefundRejectionReason
    evidence_summary: str
    appeal_id: str
    def __init__(self, event_id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., occurred_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., case_id: _Optional[str] = ..., lead_id: _Optional[str] = ..., submission_id: _Optional[str] = ..., account_id: _Optional[str] = ..., state: _Optional[_Union[_refund_service_pb2.CaseState, str]] = ..., reason: _Optional[_Union[_refund_service_pb2.RefundRejectionReason, str]] = ..., evidence_summary: _Optional[str] = ..., appeal_id: _Optional[str] = ...) -> None: ...
