import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from leadflow.common.v1 import call_pb2 as _call_pb2
from leadflow.common.v1 import money_pb2 as _money_pb2
from leadflow.common.v1 import schedule_pb2 as _schedule_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CaseState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CASE_STATE_UNSPECIFIED: _ClassVar[CaseState]
    CASE_STATE_PENDING: _ClassVar[CaseState]
    CASE_STATE_ELIGIBLE: _ClassVar[CaseState]
    CASE_STATE_REFUNDED: _ClassVar[CaseState]
    CASE_STATE_NOT_REFUNDABLE: _ClassVar[CaseState]
    CASE_STATE_EXPIRED: _ClassVar[CaseState]

class RefundReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFUND_REASON_UNSPECIFIED: _ClassVar[RefundReason]
    REFUND_REASON_EMPTY_NUMBER: _ClassVar[RefundReason]
    REFUND_REASON_SUSPENDED: _ClassVar[RefundReason]
    REFUND_REASON_POWERED_OFF: _ClassVar[RefundReason]
    REFUND_REASON_NEVER_REACHED: _ClassVar[RefundReason]
    REFUND_REASON_DUPLICATE_CHARGE: _ClassVar[RefundReason]
    REFUND_REASON_MANUAL: _ClassVar[RefundReason]
    REFUND_REASON_APPEAL_APPROVED: _ClassVar[RefundReason]

class RefundRejectionReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFUND_REJECTION_REASON_UNSPECIFIED: _ClassVar[RefundRejectionReason]
    REFUND_REJECTION_REASON_ANSWERED: _ClassVar[RefundRejectionReason]
    REFUND_REJECTION_REASON_CLAIM_WINDOW_EXPIRED: _ClassVar[RefundRejectionReason]
    REFUND_REJECTION_REASON_APPEAL_DENIED: _ClassVar[RefundRejectionReason]

class ChargeKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHARGE_KIND_UNSPECIFIED: _ClassVar[ChargeKind]
    CHARGE_KIND_LEAD: _ClassVar[ChargeKind]
    CHARGE_KIND_DUPLICATE: _ClassVar[ChargeKind]

class AttemptExclusion(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ATTEMPT_EXCLUSION_UNSPECIFIED: _ClassVar[AttemptExclusion]
    ATTEMPT_EXCLUSION_BLOCKED: _ClassVar[AttemptExclusion]
    ATTEMPT_EXCLUSION_NETWORK_ERROR: _ClassVar[AttemptExclusion]
    ATTEMPT_EXCLUSION_CANCELLED_BEFORE_MIN_RING: _ClassVar[AttemptExclusion]
    ATTEMPT_EXCLUSION_OUTCOME_UNKNOWN: _ClassVar[AttemptExclusion]
    ATTEMPT_EXCLUSION_BEFORE_SUBMISSION: _ClassVar[AttemptExclusion]
    ATTEMPT_EXCLUSION_AFTER_REACH_WINDOW: _ClassVar[AttemptExclusion]

class RequirementKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REQUIREMENT_KIND_UNSPECIFIED: _ClassVar[RequirementKind]
    REQUIREMENT_KIND_FIRST_ATTEMPT: _ClassVar[RequirementKind]
    REQUIREMENT_KIND_MORE_ATTEMPTS: _ClassVar[RequirementKind]
    REQUIREMENT_KIND_MORE_DISTINCT_HOURS: _ClassVar[RequirementKind]
    REQUIREMENT_KIND_POWERED_OFF_CONFIRMATION: _ClassVar[RequirementKind]
    REQUIREMENT_KIND_REACH_WINDOW_CLOSE: _ClassVar[RequirementKind]
    REQUIREMENT_KIND_DECISIVE_OUTCOME: _ClassVar[RequirementKind]
    REQUIREMENT_KIND_SETTLING: _ClassVar[RequirementKind]

class AppealState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    APPEAL_STATE_UNSPECIFIED: _ClassVar[AppealState]
    APPEAL_STATE_PENDING: _ClassVar[AppealState]
    APPEAL_STATE_APPROVED: _ClassVar[AppealState]
    APPEAL_STATE_DENIED: _ClassVar[AppealState]

class AppealDecision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    APPEAL_DECISION_UNSPECIFIED: _ClassVar[AppealDecision]
    APPEAL_DECISION_APPROVE: _ClassVar[AppealDecision]
    APPEAL_DECISION_DENY: _ClassVar[AppealDecision]

class LedgerDirection(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LEDGER_DIRECTION_UNSPECIFIED: _ClassVar[LedgerDirection]
    LEDGER_DIRECTION_DEBIT: _ClassVar[LedgerDirection]
    LEDGER_DIRECTION_CREDIT: _ClassVar[LedgerDirection]
CASE_STATE_UNSPECIFIED: CaseState
CASE_STATE_PENDING: CaseState
CASE_STATE_ELIGIBLE: CaseState
CASE_STATE_REFUNDED: CaseState
CASE_STATE_NOT_REFUNDABLE: CaseState
CASE_STATE_EXPIRED: CaseState
REFUND_REASON_UNSPECIFIED: RefundReason
REFUND_REASON_EMPTY_NUMBER: RefundReason
REFUND_REASON_SUSPENDED: RefundReason
REFUND_REASON_POWERED_OFF: RefundReason
REFUND_REASON_NEVER_REACHED: RefundReason
REFUND_REASON_DUPLICATE_CHARGE: RefundReason
REFUND_REASON_MANUAL: RefundReason
REFUND_REASON_APPEAL_APPROVED: RefundReason
REFUND_REJECTION_REASON_UNSPECIFIED: RefundRejectionReason
REFUND_REJECTION_REASON_ANSWERED: RefundRejectionReason
REFUND_REJECTION_REASON_CLAIM_WINDOW_EXPIRED: RefundRejectionReason
REFUND_REJECTION_REASON_APPEAL_DENIED: RefundRejectionReason
CHARGE_KIND_UNSPECIFIED: ChargeKind
CHARGE_KIND_LEAD: ChargeKind
CHARGE_KIND_DUPLICATE: ChargeKind
ATTEMPT_EXCLUSION_UNSPECIFIED: AttemptExclusion
ATTEMPT_EXCLUSION_BLOCKED: AttemptExclusion
ATTEMPT_EXCLUSION_NETWORK_ERROR: AttemptExclusion
ATTEMPT_EXCLUSION_CANCELLED_BEFORE_MIN_RING: AttemptExclusion
ATTEMPT_EXCLUSION_OUTCOME_UNKNOWN: AttemptExclusion
ATTEMPT_EXCLUSION_BEFORE_SUBMISSION: AttemptExclusion
ATTEMPT_EXCLUSION_AFTER_REACH_WINDOW: AttemptExclusion
REQUIREMENT_KIND_UNSPECIFIED: RequirementKind
REQUIREMENT_KIND_FIRST_ATTEMPT: RequirementKind
REQUIREMENT_KIND_MORE_ATTEMPTS: RequirementKind
REQUIREMENT_KIND_MORE_DISTINCT_HOURS: RequirementKind
REQUIREMENT_KIND_POWERED_OFF_CONFIRMATION: RequirementKind
REQUIREMENT_KIND_REACH_WINDOW_CLOSE: RequirementKind
REQUIREMENT_KIND_DECISIVE_OUTCOME: RequirementKind
REQUIREMENT_KIND_SETTLING: RequirementKind
APPEAL_STATE_UNSPECIFIED: AppealState
APPEAL_STATE_PENDING: AppealState
APPEAL_STATE_APPROVED: AppealState
APPEAL_STATE_DENIED: AppealState
APPEAL_DECISION_UNSPECIFIED: AppealDecision
APPEAL_DECISION_APPROVE: AppealDecision
APPEAL_DECISION_DENY: AppealDecision
LEDGER_DIRECTION_UNSPECIFIED: LedgerDirection
LEDGER_DIRECTION_DEBIT: LedgerDirection
LEDGER_DIRECTION_CREDIT: LedgerDirection

class CaseCall(_message.Message):
    __slots__ = ("call_id", "attempt_number", "start_time", "outcome", "talk_duration", "counted_as_attempt", "ring_duration", "exclusion", "decisive", "note")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    TALK_DURATION_FIELD_NUMBER: _ClassVar[int]
    COUNTED_AS_ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    RING_DURATION_FIELD_NUMBER: _ClassVar[int]
    EXCLUSION_FIELD_NUMBER: _ClassVar[int]
    DECISIVE_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    attempt_number: int
    start_time: _timestamp_pb2.Timestamp
    outcome: _call_pb2.CallOutcome
    talk_duration: _duration_pb2.Duration
    counted_as_attempt: bool
    ring_duration: _duration_pb2.Duration
    exclusion: AttemptExclusion
    decisive: bool
    note: str
    def __init__(self, call_id: _Optional[str] = ..., attempt_number: _Optional[int] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., outcome: _Optional[_Union[_call_pb2.CallOutcome, str]] = ..., talk_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., counted_as_attempt: _Optional[bool] = ..., ring_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., exclusion: _Optional[_Union[AttemptExclusion, str]] = ..., decisive: _Optional[bool] = ..., note: _Optional[str] = ...) -> None: ...

class MissingRequirement(_message.Message):
    __slots__ = ("kind", "remaining_count", "due_time", "description")
    KIND_FIELD_NUMBER: _ClassVar[int]
    REMAINING_COUNT_FIELD_NUMBER: _ClassVar[int]
    DUE_TIME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    kind: RequirementKind
    remaining_count: int
    due_time: _timestamp_pb2.Timestamp
    description: str
    def __init__(self, kind: _Optional[_Union[RequirementKind, str]] = ..., remaining_count: _Optional[int] = ..., due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., description: _Optional[str] = ...) -> None: ...

class Case(_message.Message):
    __slots__ = ("id", "lead_id", "submission_id", "account_id", "charge", "state", "reason", "calls", "missing", "summary", "submit_time", "create_time", "decide_time", "expire_time", "refund_id", "update_time", "charge_kind", "rejection_reason", "settle_time", "first_attempt_due_time", "reach_window_close_time", "next_change_time", "callable_hours", "time_zone", "attempt_count", "distinct_hour_count", "duplicate_of_submission_id", "deciding_call_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CHARGE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CALLS_FIELD_NUMBER: _ClassVar[int]
    MISSING_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    SUBMIT_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    DECIDE_TIME_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    REFUND_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    CHARGE_KIND_FIELD_NUMBER: _ClassVar[int]
    REJECTION_REASON_FIELD_NUMBER: _ClassVar[int]
    SETTLE_TIME_FIELD_NUMBER: _ClassVar[int]
    FIRST_ATTEMPT_DUE_TIME_FIELD_NUMBER: _ClassVar[int]
    REACH_WINDOW_CLOSE_TIME_FIELD_NUMBER: _ClassVar[int]
    NEXT_CHANGE_TIME_FIELD_NUMBER: _ClassVar[int]
    CALLABLE_HOURS_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_COUNT_FIELD_NUMBER: _ClassVar[int]
    DISTINCT_HOUR_COUNT_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_OF_SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    DECIDING_CALL_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    lead_id: str
    submission_id: str
    account_id: str
    charge: _money_pb2.Money
    state: CaseState
    reason: RefundReason
    calls: _containers.RepeatedCompositeFieldContainer[CaseCall]
    missing: _containers.RepeatedCompositeFieldContainer[MissingRequirement]
    summary: str
    submit_time: _timestamp_pb2.Timestamp
    create_time: _timestamp_pb2.Timestamp
    decide_time: _timestamp_pb2.Timestamp
    expire_time: _timestamp_pb2.Timestamp
    refund_id: str
    update_time: _timestamp_pb2.Timestamp
    charge_kind: ChargeKind
    rejection_reason: RefundRejectionReason
    settle_time: _timestamp_pb2.Timestamp
    first_attempt_due_time: _timestamp_pb2.Timestamp
    reach_window_close_time: _timestamp_pb2.Timestamp
    next_change_time: _timestamp_pb2.Timestamp
    callable_hours: _schedule_pb2.DailyWindow
    time_zone: str
    attempt_count: int
    distinct_hour_count: int
    duplicate_of_submission_id: str
    deciding_call_id: str
    def __init__(self, id: _Optional[str] = ..., lead_id: _Optional[str] = ..., submission_id: _Optional[str] = ..., account_id: _Optional[str] = ..., charge: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., state: _Optional[_Union[CaseState, str]] = ..., reason: _Optional[_Union[RefundReason, str]] = ..., calls: _Optional[_Iterable[_Union[CaseCall, _Mapping]]] = ..., missing: _Optional[_Iterable[_Union[MissingRequirement, _Mapping]]] = ..., summary: _Optional[str] = ..., submit_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., decide_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., refund_id: _Optional[str] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., charge_kind: _Optional[_Union[ChargeKind, str]] = ..., rejection_reason: _Optional[_Union[RefundRejectionReason, str]] = ..., settle_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., first_attempt_due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reach_window_close_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., next_change_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., callable_hours: _Optional[_Union[_schedule_pb2.DailyWindow, _Mapping]] = ..., time_zone: _Optional[str] = ..., attempt_count: _Optional[int] = ..., distinct_hour_count: _Optional[int] = ..., duplicate_of_submission_id: _Optional[str] = ..., deciding_call_id: _Optional[str] = ...) -> None: ...

class GetEligibilityRequest(_message.Message):
    __slots__ = ("lead_id", "submission_id")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    submission_id: str
    def __init__(self, lead_id: _Optional[str] = ..., submission_id: _Optional[str] = ...) -> None: ...

class GetEligibilityResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: Case
    def __init__(self, case: _Optional[_Union[Case, _Mapping]] = ...) -> None: ...

class ListCasesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "account_id", "state", "reason", "create_start_time", "create_end_time", "lead_id", "rejection_reason")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CREATE_START_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATE_END_TIME_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    REJECTION_REASON_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    account_id: str
    state: CaseState
    reason: RefundReason
    create_start_time: _timestamp_pb2.Timestamp
    create_end_time: _timestamp_pb2.Timestamp
    lead_id: str
    rejection_reason: RefundRejectionReason
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., account_id: _Optional[str] = ..., state: _Optional[_Union[CaseState, str]] = ..., reason: _Optional[_Union[RefundReason, str]] = ..., create_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., create_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., lead_id: _Optional[str] = ..., rejection_reason: _Optional[_Union[RefundRejectionReason, str]] = ...) -> None: ...

class ListCasesResponse(_message.Message):
    __slots__ = ("cases", "next_page_token", "total_size")
    CASES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    cases: _containers.RepeatedCompositeFieldContainer[Case]
    next_page_token: str
    total_size: int
    def __init__(self, cases: _Optional[_Iterable[_Union[Case, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class RefundRules(_message.Message):
    __slots__ = ("account_id", "min_talk_duration", "min_attempts", "first_attempt_callable_duration", "min_distinct_hours", "reach_window", "powered_off_calls", "claim_window", "update_time", "updated_by", "min_ring_duration", "settling_period", "refund_duplicate_charges", "duplicate_charge_window")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    MIN_TALK_DURATION_FIELD_NUMBER: _ClassVar[int]
    MIN_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    FIRST_ATTEMPT_CALLABLE_DURATION_FIELD_NUMBER: _ClassVar[int]
    MIN_DISTINCT_HOURS_FIELD_NUMBER: _ClassVar[int]
    REACH_WINDOW_FIELD_NUMBER: _ClassVar[int]
    POWERED_OFF_CALLS_FIELD_NUMBER: _ClassVar[int]
    CLAIM_WINDOW_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    MIN_RING_DURATION_FIELD_NUMBER: _ClassVar[int]
    SETTLING_PERIOD_FIELD_NUMBER: _ClassVar[int]
    REFUND_DUPLICATE_CHARGES_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_CHARGE_WINDOW_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    min_talk_duration: _duration_pb2.Duration
    min_attempts: int
    first_attempt_callable_duration: _duration_pb2.Duration
    min_distinct_hours: int
    reach_window: _duration_pb2.Duration
    powered_off_calls: int
    claim_window: _duration_pb2.Duration
    update_time: _timestamp_pb2.Timestamp
    updated_by: str
    min_ring_duration: _duration_pb2.Duration
    settling_period: _duration_pb2.Duration
    refund_duplicate_charges: bool
    duplicate_charge_window: _duration_pb2.Duration
    def __init__(self, account_id: _Optional[str] = ..., min_talk_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., min_attempts: _Optional[int] = ..., first_attempt_callable_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., min_distinct_hours: _Optional[int] = ..., reach_window: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., powered_off_calls: _Optional[int] = ..., claim_window: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_by: _Optional[str] = ..., min_ring_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., settling_period: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., refund_duplicate_charges: _Optional[bool] = ..., duplicate_charge_window: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class GetRefundRulesRequest(_message.Message):
    __slots__ = ("account_id",)
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    def __init__(self, account_id: _Optional[str] = ...) -> None: ...

class GetRefundRulesResponse(_message.Message):
    __slots__ = ("rules",)
    RULES_FIELD_NUMBER: _ClassVar[int]
    rules: RefundRules
    def __init__(self, rules: _Optional[_Union[RefundRules, _Mapping]] = ...) -> None: ...

class UpdateRefundRulesRequest(_message.Message):
    __slots__ = ("rules", "update_mask")
    RULES_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    rules: RefundRules
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, rules: _Optional[_Union[RefundRules, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateRefundRulesResponse(_message.Message):
    __slots__ = ("rules",)
    RULES_FIELD_NUMBER: _ClassVar[int]
    rules: RefundRules
    def __init__(self, rules: _Optional[_Union[RefundRules, _Mapping]] = ...) -> None: ...

class Refund(_message.Message):
    __slots__ = ("id", "case_id", "lead_id", "account_id", "amount", "reason", "request_id", "evidence_summary", "appeal_id", "ledger_transaction_id", "create_time", "submission_id", "note")
    ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    APPEAL_ID_FIELD_NUMBER: _ClassVar[int]
    LEDGER_TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    id: str
    case_id: str
    lead_id: str
    account_id: str
    amount: _money_pb2.Money
    reason: RefundReason
    request_id: str
    evidence_summary: str
    appeal_id: str
    ledger_transaction_id: str
    create_time: _timestamp_pb2.Timestamp
    submission_id: str
    note: str
    def __init__(self, id: _Optional[str] = ..., case_id: _Optional[str] = ..., lead_id: _Optional[str] = ..., account_id: _Optional[str] = ..., amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., reason: _Optional[_Union[RefundReason, str]] = ..., request_id: _Optional[str] = ..., evidence_summary: _Optional[str] = ..., appeal_id: _Optional[str] = ..., ledger_transaction_id: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., submission_id: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class RequestRefundRequest(_message.Message):
    __slots__ = ("case_id", "reason", "amount", "note", "request_id")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    reason: RefundReason
    amount: _money_pb2.Money
    note: str
    request_id: str
    def __init__(self, case_id: _Optional[str] = ..., reason: _Optional[_Union[RefundReason, str]] = ..., amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., note: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RequestRefundResponse(_message.Message):
    __slots__ = ("refund",)
    REFUND_FIELD_NUMBER: _ClassVar[int]
    refund: Refund
    def __init__(self, refund: _Optional[_Union[Refund, _Mapping]] = ...) -> None: ...

class GetRefundRequest(_message.Message):
    __slots__ = ("refund_id",)
    REFUND_ID_FIELD_NUMBER: _ClassVar[int]
    refund_id: str
    def __init__(self, refund_id: _Optional[str] = ...) -> None: ...

class GetRefundResponse(_message.Message):
    __slots__ = ("refund",)
    REFUND_FIELD_NUMBER: _ClassVar[int]
    refund: Refund
    def __init__(self, refund: _Optional[_Union[Refund, _Mapping]] = ...) -> None: ...

class ListRefundsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "account_id", "lead_id", "reason", "create_start_time", "create_end_time")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CREATE_START_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATE_END_TIME_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    account_id: str
    lead_id: str
    reason: RefundReason
    create_start_time: _timestamp_pb2.Timestamp
    create_end_time: _timestamp_pb2.Timestamp
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., account_id: _Optional[str] = ..., lead_id: _Optional[str] = ..., reason: _Optional[_Union[RefundReason, str]] = ..., create_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., create_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListRefundsResponse(_message.Message):
    __slots__ = ("refunds", "next_page_token")
    REFUNDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    refunds: _containers.RepeatedCompositeFieldContainer[Refund]
    next_page_token: str
    def __init__(self, refunds: _Optional[_Iterable[_Union[Refund, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class StatementLine(_message.Message):
    __slots__ = ("reason", "refund_count", "amount")
    REASON_FIELD_NUMBER: _ClassVar[int]
    REFUND_COUNT_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    reason: RefundReason
    refund_count: int
    amount: _money_pb2.Money
    def __init__(self, reason: _Optional[_Union[RefundReason, str]] = ..., refund_count: _Optional[int] = ..., amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ...) -> None: ...

class Statement(_message.Message):
    __slots__ = ("account_id", "year", "month", "lines", "refund_count", "totals", "generate_time")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    YEAR_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    REFUND_COUNT_FIELD_NUMBER: _ClassVar[int]
    TOTALS_FIELD_NUMBER: _ClassVar[int]
    GENERATE_TIME_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    year: int
    month: int
    lines: _containers.RepeatedCompositeFieldContainer[StatementLine]
    refund_count: int
    totals: _containers.RepeatedCompositeFieldContainer[_money_pb2.Money]
    generate_time: _timestamp_pb2.Timestamp
    def __init__(self, account_id: _Optional[str] = ..., year: _Optional[int] = ..., month: _Optional[int] = ..., lines: _Optional[_Iterable[_Union[StatementLine, _Mapping]]] = ..., refund_count: _Optional[int] = ..., totals: _Optional[_Iterable[_Union[_money_pb2.Money, _Mapping]]] = ..., generate_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetStatementRequest(_message.Message):
    __slots__ = ("account_id", "year", "month")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    YEAR_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    year: int
    month: int
    def __init__(self, account_id: _Optional[str] = ..., year: _Optional[int] = ..., month: _Optional[int] = ...) -> None: ...

class GetStatementResponse(_message.Message):
    __slots__ = ("statement",)
    STATEMENT_FIELD_NUMBER: _ClassVar[int]
    statement: Statement
    def __init__(self, statement: _Optional[_Union[Statement, _Mapping]] = ...) -> None: ...

class Appeal(_message.Message):
    __slots__ = ("id", "case_id", "lead_id", "account_id", "reason", "state", "requested_by", "decided_by", "decision_note", "refund_id", "create_time", "decide_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    DECISION_NOTE_FIELD_NUMBER: _ClassVar[int]
    REFUND_ID_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    DECIDE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    case_id: str
    lead_id: str
    account_id: str
    reason: str
    state: AppealState
    requested_by: str
    decided_by: str
    decision_note: str
    refund_id: str
    create_time: _timestamp_pb2.Timestamp
    decide_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., case_id: _Optional[str] = ..., lead_id: _Optional[str] = ..., account_id: _Optional[str] = ..., reason: _Optional[str] = ..., state: _Optional[_Union[AppealState, str]] = ..., requested_by: _Optional[str] = ..., decided_by: _Optional[str] = ..., decision_note: _Optional[str] = ..., refund_id: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., decide_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AppealCaseRequest(_message.Message):
    __slots__ = ("case_id", "reason", "request_id")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    reason: str
    request_id: str
    def __init__(self, case_id: _Optional[str] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class AppealCaseResponse(_message.Message):
    __slots__ = ("appeal",)
    APPEAL_FIELD_NUMBER: _ClassVar[int]
    appeal: Appeal
    def __init__(self, appeal: _Optional[_Union[Appeal, _Mapping]] = ...) -> None: ...

class ListAppealsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "account_id", "state")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    account_id: str
    state: AppealState
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., account_id: _Optional[str] = ..., state: _Optional[_Union[AppealState, str]] = ...) -> None: ...

class ListAppealsResponse(_message.Message):
    __slots__ = ("appeals", "next_page_token")
    APPEALS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    appeals: _containers.RepeatedCompositeFieldContainer[Appeal]
    next_page_token: str
    def __init__(self, appeals: _Optional[_Iterable[_Union[Appeal, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DecideAppealRequest(_message.Message):
    __slots__ = ("appeal_id", "decision", "note", "request_id")
    APPEAL_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    appeal_id: str
    decision: AppealDecision
    note: str
    request_id: str
    def __init__(self, appeal_id: _Optional[str] = ..., decision: _Optional[_Union[AppealDecision, str]] = ..., note: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class DecideAppealResponse(_message.Message):
    __slots__ = ("appeal", "refund")
    APPEAL_FIELD_NUMBER: _ClassVar[int]
    REFUND_FIELD_NUMBER: _ClassVar[int]
    appeal: Appeal
    refund: Refund
    def __init__(self, appeal: _Optional[_Union[Appeal, _Mapping]] = ..., refund: _Optional[_Union[Refund, _Mapping]] = ...) -> None: ...

class LedgerEntry(_message.Message):
    __slots__ = ("id", "transaction_id", "ledger_account", "direction", "amount", "account_id", "refund_id", "case_id", "reason", "reverses_entry_id", "post_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    LEDGER_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    REFUND_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REVERSES_ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    POST_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    transaction_id: str
    ledger_account: str
    direction: LedgerDirection
    amount: _money_pb2.Money
    account_id: str
    refund_id: str
    case_id: str
    reason: RefundReason
    reverses_entry_id: str
    post_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., transaction_id: _Optional[str] = ..., ledger_account: _Optional[str] = ..., direction: _Optional[_Union[LedgerDirection, str]] = ..., amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., account_id: _Optional[str] = ..., refund_id: _Optional[str] = ..., case_id: _Optional[str] = ..., reason: _Optional[_Union[RefundReason, str]] = ..., reverses_entry_id: _Optional[str] = ..., post_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListLedgerEntriesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "account_id", "refund_id", "post_start_time", "post_end_time")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    REFUND_ID_FIELD_NUMBER: _ClassVar[int]
    POST_START_TIME_FIELD_NUMBER: _ClassVar[int]
    POST_END_TIME_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    account_id: str
    refund_id: str
    post_start_time: _timestamp_pb2.Timestamp
    post_end_time: _timestamp_pb2.Timestamp
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., account_id: _Optional[str] = ..., refund_id: _Optional[str] = ..., post_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., post_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListLedgerEntriesResponse(_message.Message):
    __slots__ = ("entries", "next_page_token")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[LedgerEntry]
    next_page_token: str
    def __init__(self, entries: _Optional[_Iterable[_Union[LedgerEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
