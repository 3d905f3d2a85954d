import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from leadflow.common.v1 import errors_pb2 as _errors_pb2
from leadflow.common.v1 import lead_pb2 as _lead_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DedupScope(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DEDUP_SCOPE_UNSPECIFIED: _ClassVar[DedupScope]
    DEDUP_SCOPE_ACCOUNT: _ClassVar[DedupScope]
    DEDUP_SCOPE_ACCOUNT_GROUP: _ClassVar[DedupScope]

class DedupAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DEDUP_ACTION_UNSPECIFIED: _ClassVar[DedupAction]
    DEDUP_ACTION_MERGE: _ClassVar[DedupAction]
    DEDUP_ACTION_FLAG: _ClassVar[DedupAction]
DEDUP_SCOPE_UNSPECIFIED: DedupScope
DEDUP_SCOPE_ACCOUNT: DedupScope
DEDUP_SCOPE_ACCOUNT_GROUP: DedupScope
DEDUP_ACTION_UNSPECIFIED: DedupAction
DEDUP_ACTION_MERGE: DedupAction
DEDUP_ACTION_FLAG: DedupAction

class DimensionWindow(_message.Message):
    __slots__ = ("dimension", "window")
    DIMENSION_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    dimension: _lead_pb2.DedupDimension
    window: _duration_pb2.Duration
    def __init__(self, dimension: _Optional[_Union[_lead_pb2.DedupDimension, str]] = ..., window: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class DedupPolicy(_message.Message):
    __slots__ = ("account_id", "scope", "dimensions", "windows", "ip_window", "action", "inherited_from_account_id", "update_time", "updated_by")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    DIMENSIONS_FIELD_NUMBER: _ClassVar[int]
    WINDOWS_FIELD_NUMBER: _ClassVar[int]
    IP_WINDOW_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    INHERITED_FROM_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    scope: DedupScope
    dimensions: _containers.RepeatedScalarFieldContainer[_lead_pb2.DedupDimension]
    windows: _containers.RepeatedCompositeFieldContainer[DimensionWindow]
    ip_window: _duration_pb2.Duration
    action: DedupAction
    inherited_from_account_id: str
    update_time: _timestamp_pb2.Timestamp
    updated_by: str
    def __init__(self, account_id: _Optional[str] = ..., scope: _Optional[_Union[DedupScope, str]] = ..., dimensions: _Optional[_Iterable[_Union[_lead_pb2.DedupDimension, str]]] = ..., windows: _Optional[_Iterable[_Union[DimensionWindow, _Mapping]]] = ..., ip_window: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., action: _Optional[_Union[DedupAction, str]] = ..., inherited_from_account_id: _Optional[str] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_by: _Optional[str] = ...) -> None: ...

class GetDedupPolicyRequest(_message.Message):
    __slots__ = ("account_id",)
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    def __init__(self, account_id: _Optional[str] = ...) -> None: ...

class GetDedupPolicyResponse(_message.Message):
    __slots__ = ("policy",)
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: DedupPolicy
    def __init__(self, policy: _Optional[_Union[DedupPolicy, _Mapping]] = ...) -> None: ...

class UpdateDedupPolicyRequest(_message.Message):
    __slots__ = ("policy", "update_mask")
    POLICY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    policy: DedupPolicy
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, policy: _Optional[_Union[DedupPolicy, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateDedupPolicyResponse(_message.Message):
    __slots__ = ("policy",)
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: DedupPolicy
    def __init__(self, policy: _Optional[_Union[DedupPolicy, _Mapping]] = ...) -> None: ...

class PolicyHistoryEntry(_message.Message):
    __slots__ = ("id", "actor", "change_time", "changed_fields", "old_policy", "new_policy")
    ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    CHANGE_TIME_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    OLD_POLICY_FIELD_NUMBER: _ClassVar[int]
    NEW_POLICY_FIELD_NUMBER: _ClassVar[int]
    id: str
    actor: str
    change_time: _timestamp_pb2.Timestamp
    changed_fields: _field_mask_pb2.FieldMask
    old_policy: DedupPolicy
    new_policy: DedupPolicy
    def __init__(self, id: _Optional[str] = ..., actor: _Optional[str] = ..., change_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., changed_fields: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., old_policy: _Optional[_Union[DedupPolicy, _Mapping]] = ..., new_policy: _Optional[_Union[DedupPolicy, _Mapping]] = ...) -> None: ...

class ListPolicyHistoryRequest(_message.Message):
    __slots__ = ("account_id", "page_size", "page_token")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    page_size: int
    page_token: str
    def __init__(self, account_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListPolicyHistoryResponse(_message.Message):
    __slots__ = ("entries", "next_page_token")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[PolicyHistoryEntry]
    next_page_token: str
    def __init__(self, entries: _Optional[_Iterable[_Union[PolicyHistoryEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class AccountBinding(_message.Message):
    __slots__ = ("parent_account_id", "child_account_id", "bind_time", "bound_by")
    PARENT_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CHILD_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    BIND_TIME_FIELD_NUMBER: _ClassVar[int]
    BOUND_BY_FIELD_NUMBER: _ClassVar[int]
    parent_account_id: str
    child_account_id: str
    bind_time: _timestamp_pb2.Timestamp
    bound_by: str
    def __init__(self, parent_account_id: _Optional[str] = ..., child_account_id: _Optional[str] = ..., bind_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., bound_by: _Optional[str] = ...) -> None: ...

class BindAccountRequest(_message.Message):
    __slots__ = ("parent_account_id", "child_account_id")
    PARENT_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CHILD_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    parent_account_id: str
    child_account_id: str
    def __init__(self, parent_account_id: _Optional[str] = ..., child_account_id: _Optional[str] = ...) -> None: ...

class BindAccountResponse(_message.Message):
    __slots__ = ("binding",)
    BINDING_FIELD_NUMBER: _ClassVar[int]
    binding: AccountBinding
    def __init__(self, binding: _Optional[_Union[AccountBinding, _Mapping]] = ...) -> None: ...

class UnbindAccountRequest(_message.Message):
    __slots__ = ("child_account_id",)
    CHILD_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    child_account_id: str
    def __init__(self, child_account_id: _Optional[str] = ...) -> None: ...

class UnbindAccountResponse(_message.Message):
    __slots__ = ("binding",)
    BINDING_FIELD_NUMBER: _ClassVar[int]
    binding: AccountBinding
    def __init__(self, binding: _Optional[_Union[AccountBinding, _Mapping]] = ...) -> None: ...

class ListAccountBindingsRequest(_message.Message):
    __slots__ = ("parent_account_id", "page_size", "page_token")
    PARENT_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent_account_id: str
    page_size: int
    page_token: str
    def __init__(self, parent_account_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAccountBindingsResponse(_message.Message):
    __slots__ = ("bindings", "next_page_token")
    BINDINGS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    bindings: _containers.RepeatedCompositeFieldContainer[AccountBinding]
    next_page_token: str
    def __init__(self, bindings: _Optional[_Iterable[_Union[AccountBinding, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class Fingerprint(_message.Message):
    __slots__ = ("dimension", "keyed_hash")
    DIMENSION_FIELD_NUMBER: _ClassVar[int]
    KEYED_HASH_FIELD_NUMBER: _ClassVar[int]
    dimension: _lead_pb2.DedupDimension
    keyed_hash: bytes
    def __init__(self, dimension: _Optional[_Union[_lead_pb2.DedupDimension, str]] = ..., keyed_hash: _Optional[bytes] = ...) -> None: ...

class ClaimLeadRequest(_message.Message):
    __slots__ = ("account_id", "candidate_lead_id", "fingerprints", "submit_time", "request_id", "collect_account_id")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CANDIDATE_LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    FINGERPRINTS_FIELD_NUMBER: _ClassVar[int]
    SUBMIT_TIME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    COLLECT_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    candidate_lead_id: str
    fingerprints: _containers.RepeatedCompositeFieldContainer[Fingerprint]
    submit_time: _timestamp_pb2.Timestamp
    request_id: str
    collect_account_id: str
    def __init__(self, account_id: _Optional[str] = ..., candidate_lead_id: _Optional[str] = ..., fingerprints: _Optional[_Iterable[_Union[Fingerprint, _Mapping]]] = ..., submit_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., request_id: _Optional[str] = ..., collect_account_id: _Optional[str] = ...) -> None: ...

class Match(_message.Message):
    __slots__ = ("dimension", "lead_id", "first_seen_time", "policy_account_id", "window", "within_window")
    DIMENSION_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    FIRST_SEEN_TIME_FIELD_NUMBER: _ClassVar[int]
    POLICY_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    WITHIN_WINDOW_FIELD_NUMBER: _ClassVar[int]
    dimension: _lead_pb2.DedupDimension
    lead_id: str
    first_seen_time: _timestamp_pb2.Timestamp
    policy_account_id: str
    window: _duration_pb2.Duration
    within_window: bool
    def __init__(self, dimension: _Optional[_Union[_lead_pb2.DedupDimension, str]] = ..., lead_id: _Optional[str] = ..., first_seen_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., policy_account_id: _Optional[str] = ..., window: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., within_window: _Optional[bool] = ...) -> None: ...

class ClaimLeadResponse(_message.Message):
    __slots__ = ("verdict", "canonical_lead_id", "matches", "action")
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    CANONICAL_LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    MATCHES_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    verdict: _lead_pb2.LeadVerdict
    canonical_lead_id: str
    matches: _containers.RepeatedCompositeFieldContainer[Match]
    action: DedupAction
    def __init__(self, verdict: _Optional[_Union[_lead_pb2.LeadVerdict, str]] = ..., canonical_lead_id: _Optional[str] = ..., matches: _Optional[_Iterable[_Union[Match, _Mapping]]] = ..., action: _Optional[_Union[DedupAction, str]] = ...) -> None: ...

class BatchClaimLeadsRequest(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[ClaimLeadRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[ClaimLeadRequest, _Mapping]]] = ...) -> None: ...

class BatchClaimLeadsResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[ClaimLeadResult]
    def __init__(self, results: _Optional[_Iterable[_Union[ClaimLeadResult, _Mapping]]] = ...) -> None: ...

class ClaimLeadResult(_message.Message):
    __slots__ = ("index", "response", "error")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    index: int
    response: ClaimLeadResponse
    error: _errors_pb2.ItemError
    def __init__(self, index: _Optional[int] = ..., response: _Optional[_Union[ClaimLeadResponse, _Mapping]] = ..., error: _Optional[_Union[_errors_pb2.ItemError, _Mapping]] = ...) -> None: ...

class ExplainLeadRequest(_message.Message):
    __slots__ = ("lead_id",)
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    def __init__(self, lead_id: _Optional[str] = ...) -> None: ...

class IndexKey(_message.Message):
    __slots__ = ("dimension", "key_hash_prefix", "scope_account_id", "first_seen_time", "last_seen_time", "reason")
    DIMENSION_FIELD_NUMBER: _ClassVar[int]
    KEY_HASH_PREFIX_FIELD_NUMBER: _ClassVar[int]
    SCOPE_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    FIRST_SEEN_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_SEEN_TIME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    dimension: _lead_pb2.DedupDimension
    key_hash_prefix: str
    scope_account_id: str
    first_seen_time: _timestamp_pb2.Timestamp
    last_seen_time: _timestamp_pb2.Timestamp
    reason: str
    def __init__(self, dimension: _Optional[_Union[_lead_pb2.DedupDimension, str]] = ..., key_hash_prefix: _Optional[str] = ..., scope_account_id: _Optional[str] = ..., first_seen_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_seen_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class ExplainLeadResponse(_message.Message):
    __slots__ = ("lead_id", "keys")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    KEYS_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    keys: _containers.RepeatedCompositeFieldContainer[IndexKey]
    def __init__(self, lead_id: _Optional[str] = ..., keys: _Optional[_Iterable[_Union[IndexKey, _Mapping]]] = ...) -> None: ...

class ForgetLeadRequest(_message.Message):
    __slots__ = ("lead_id", "request_id")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    request_id: str
    def __init__(self, lead_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ForgetLeadResponse(_message.Message):
    __slots__ = ("removed_count",)
    REMOVED_COUNT_FIELD_NUMBER: _ClassVar[int]
    removed_count: int
    def __init__(self, removed_count: _Optional[int] = ...) -> None: ...
