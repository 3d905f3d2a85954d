import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from leadflow.assign.v1 import assign_service_pb2 as _assign_service_pb2
from leadflow.common.v1 import encryption_pb2 as _encryption_pb2
from leadflow.common.v1 import lead_pb2 as _lead_pb2
from leadflow.common.v1 import region_pb2 as _region_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReclaimReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RECLAIM_REASON_UNSPECIFIED: _ClassVar[ReclaimReason]
    RECLAIM_REASON_NO_FOLLOW_UP: _ClassVar[ReclaimReason]
    RECLAIM_REASON_AGENT_DELETED: _ClassVar[ReclaimReason]

class ReminderRecipientRole(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REMINDER_RECIPIENT_ROLE_UNSPECIFIED: _ClassVar[ReminderRecipientRole]
    REMINDER_RECIPIENT_ROLE_ASSIGNEE: _ClassVar[ReminderRecipientRole]
    REMINDER_RECIPIENT_ROLE_TEAM_ADMIN: _ClassVar[ReminderRecipientRole]
RECLAIM_REASON_UNSPECIFIED: ReclaimReason
RECLAIM_REASON_NO_FOLLOW_UP: ReclaimReason
RECLAIM_REASON_AGENT_DELETED: ReclaimReason
REMINDER_RECIPIENT_ROLE_UNSPECIFIED: ReminderRecipientRole
REMINDER_RECIPIENT_ROLE_ASSIGNEE: ReminderRecipientRole
REMINDER_RECIPIENT_ROLE_TEAM_ADMIN: ReminderRecipientRole

class LeadAssigned(_message.Message):
    __slots__ = ("event_id", "tenant_id", "occurred_time", "assignment_id", "lead_id", "account_id", "agent_id", "team_id", "reason", "rule_id", "previous_agent_id", "reclaim_due_time", "score_grade", "reassign_reason")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_TIME_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    RECLAIM_DUE_TIME_FIELD_NUMBER: _ClassVar[int]
    SCORE_GRADE_FIELD_NUMBER: _ClassVar[int]
    REASSIGN_REASON_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    tenant_id: str
    occurred_time: _timestamp_pb2.Timestamp
    assignment_id: str
    lead_id: str
    account_id: str
    agent_id: str
    team_id: str
    reason: _assign_service_pb2.AssignmentReason
    rule_id: str
    previous_agent_id: str
    reclaim_due_time: _timestamp_pb2.Timestamp
    score_grade: _assign_service_pb2.ScoreGrade
    reassign_reason: str
    def __init__(self, event_id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., occurred_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., assignment_id: _Optional[str] = ..., lead_id: _Optional[str] = ..., account_id: _Optional[str] = ..., agent_id: _Optional[str] = ..., team_id: _Optional[str] = ..., reason: _Optional[_Union[_assign_service_pb2.AssignmentReason, str]] = ..., rule_id: _Optional[str] = ..., previous_agent_id: _Optional[str] = ..., reclaim_due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., score_grade: _Optional[_Union[_assign_service_pb2.ScoreGrade, str]] = ..., reassign_reason: _Optional[str] = ...) -> None: ...

class LeadReclaimed(_message.Message):
    __slots__ = ("event_id", "tenant_id", "occurred_time", "assignment_id", "lead_id", "account_id", "agent_id", "reason", "cooldown_end_time")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_TIME_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    COOLDOWN_END_TIME_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    tenant_id: str
    occurred_time: _timestamp_pb2.Timestamp
    assignment_id: str
    lead_id: str
    account_id: str
    agent_id: str
    reason: ReclaimReason
    cooldown_end_time: _timestamp_pb2.Timestamp
    def __init__(self, event_id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., occurred_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., assignment_id: _Optional[str] = ..., lead_id: _Optional[str] = ..., account_id: _Optional[str] = ..., agent_id: _Optional[str] = ..., reason: _Optional[_Union[ReclaimReason, str]] = ..., cooldown_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ReminderDue(_message.Message):
    __slots__ = ("event_id", "tenant_id", "occurred_time", "reminder_id", "lead_id", "assignment_id", "account_id", "agent_id", "recipient_agent_id", "recipient_role", "sequence", "escalated", "due_time", "assign_time")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_TIME_FIELD_NUMBER: _ClassVar[int]
    REMINDER_ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_ROLE_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    ESCALATED_FIELD_NUMBER: _ClassVar[int]
    DUE_TIME_FIELD_NUMBER: _ClassVar[int]
    ASSIGN_TIME_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    tenant_id: str
    occurred_time: _timestamp_pb2.Timestamp
    reminder_id: str
    lead_id: str
    assignment_id: str
    account_id: str
    agent_id: str
    recipient_agent_id: str
    recipient_role: ReminderRecipientRole
    sequence: int
    escalated: bool
    due_time: _timestamp_pb2.Timestamp
    assign_time: _timestamp_pb2.Timestamp
    def __init__(self, event_id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., occurred_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reminder_id: _Optional[str] = ..., lead_id: _Optional[str] = ..., assignment_id: _Optional[str] = ..., account_id: _Optional[str] = ..., agent_id: _Optional[str] = ..., recipient_agent_id: _Optional[str] = ..., recipient_role: _Optional[_Union[ReminderRecipientRole, str]] = ..., sequence: _Optional[int] = ..., escalated: _Optional[bool] = ..., due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., assign_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class LeadStatusChanged(_message.Message):
    __slots__ = ("event_id", "tenant_id", "occurred_time", "lead_id", "account_id", "status", "invalid_reason", "follow_up_id", "assignment_id", "agent_id")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_TIME_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    INVALID_REASON_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_UP_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    tenant_id: str
    occurred_time: _timestamp_pb2.Timestamp
    lead_id: str
    account_id: str
    status: _lead_pb2.LeadStatus
    invalid_reason: _assign_service_pb2.LeadInvalidReason
    follow_up_id: str
    assignment_id: str
    agent_id: str
    def __init__(self, event_id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., occurred_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., lead_id: _Optional[str] = ..., account_id: _Optional[str] = ..., status: _Optional[_Union[_lead_pb2.LeadStatus, str]] = ..., invalid_reason: _Optional[_Union[_assign_service_pb2.LeadInvalidReason, str]] = ..., follow_up_id: _Optional[str] = ..., assignment_id: _Optional[str] = ..., agent_id: _Optional[str] = ...) -> None: ...

class AgentSnapshot(_message.Message):
    __slots__ = ("agent_id", "revision", "team_id", "display_name", "user_id", "status", "regions", "working_hours", "phone", "phone_masked")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REGIONS_FIELD_NUMBER: _ClassVar[int]
    WORKING_HOURS_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    PHONE_MASKED_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    revision: int
    team_id: str
    display_name: str
    user_id: str
    status: _assign_service_pb2.AgentStatus
    regions: _containers.RepeatedCompositeFieldContainer[_region_pb2.Region]
    working_hours: _assign_service_pb2.WorkingHours
    phone: _encryption_pb2.EncryptedValue
    phone_masked: str
    def __init__(self, agent_id: _Optional[str] = ..., revision: _Optional[int] = ..., team_id: _Optional[str] = ..., display_name: _Optional[str] = ..., user_id: _Optional[str] = ..., status: _Optional[_Union[_assign_service_pb2.AgentStatus, str]] = ..., regions: _Optional[_Iterable[_Union[_region_pb2.Region, _Mapping]]] = ..., working_hours: _Optional[_Union[_assign_service_pb2.WorkingHours, _Mapping]] = ..., phone: _Optional[_Union[_encryption_pb2.EncryptedValue, _Mapping]] = ..., phone_masked: _Optional[str] = ...) -> None: ...

class AgentCreated(_message.Message):
    __slots__ = ("event_id", "tenant_id", "occurred_time", "agent")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_TIME_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    tenant_id: str
    occurred_time: _timestamp_pb2.Timestamp
    agent: AgentSnapshot
    def __init__(self, event_id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., occurred_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., agent: _Optional[_Union[AgentSnapshot, _Mapping]] = ...) -> None: ...

class AgentUpdated(_message.Message):
    __slots__ = ("event_id", "tenant_id", "occurred_time", "agent", "changed_fields")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_TIME_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    tenant_id: str
    occurred_time: _timestamp_pb2.Timestamp
    agent: AgentSnapshot
    changed_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, event_id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., occurred_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., agent: _Optional[_Union[AgentSnapshot, _Mapping]] = ..., changed_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class AgentDeleted(_message.Message):
    __slots__ = ("event_id", "tenant_id", "occurred_time", "agent_id", "revision", "team_id")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_TIME_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    tenant_id: str
    occurred_time: _timestamp_pb2.Timestamp
    agent_id: str
    revision: int
    team_id: str
    def __init__(self, event_id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., occurred_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., agent_id: _Optional[str] = ..., revision: _Optional[int] = ..., team_id: _Optional[str] = ...) -> None: ...
