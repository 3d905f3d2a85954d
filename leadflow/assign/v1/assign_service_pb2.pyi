import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from leadflow.common.v1 import lead_pb2 as _lead_pb2
from leadflow.common.v1 import region_pb2 as _region_pb2
from leadflow.common.v1 import schedule_pb2 as _schedule_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AgentStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AGENT_STATUS_UNSPECIFIED: _ClassVar[AgentStatus]
    AGENT_STATUS_ONLINE: _ClassVar[AgentStatus]
    AGENT_STATUS_OFFLINE: _ClassVar[AgentStatus]
    AGENT_STATUS_ON_LEAVE: _ClassVar[AgentStatus]

class AssignmentMethod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ASSIGNMENT_METHOD_UNSPECIFIED: _ClassVar[AssignmentMethod]
    ASSIGNMENT_METHOD_DESIGNATED: _ClassVar[AssignmentMethod]
    ASSIGNMENT_METHOD_ROUND_ROBIN: _ClassVar[AssignmentMethod]
    ASSIGNMENT_METHOD_WEIGHTED: _ClassVar[AssignmentMethod]
    ASSIGNMENT_METHOD_LEAST_LOADED: _ClassVar[AssignmentMethod]
    ASSIGNMENT_METHOD_POOL: _ClassVar[AssignmentMethod]

class ScoreGrade(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SCORE_GRADE_UNSPECIFIED: _ClassVar[ScoreGrade]
    SCORE_GRADE_A: _ClassVar[ScoreGrade]
    SCORE_GRADE_B: _ClassVar[ScoreGrade]
    SCORE_GRADE_C: _ClassVar[ScoreGrade]
    SCORE_GRADE_D: _ClassVar[ScoreGrade]

class AssignmentState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ASSIGNMENT_STATE_UNSPECIFIED: _ClassVar[AssignmentState]
    ASSIGNMENT_STATE_ACTIVE: _ClassVar[AssignmentState]
    ASSIGNMENT_STATE_RELEASED: _ClassVar[AssignmentState]
    ASSIGNMENT_STATE_RECLAIMED: _ClassVar[AssignmentState]
    ASSIGNMENT_STATE_REASSIGNED: _ClassVar[AssignmentState]
    ASSIGNMENT_STATE_CLOSED: _ClassVar[AssignmentState]

class AssignmentReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ASSIGNMENT_REASON_UNSPECIFIED: _ClassVar[AssignmentReason]
    ASSIGNMENT_REASON_RULE: _ClassVar[AssignmentReason]
    ASSIGNMENT_REASON_FAMILIARITY: _ClassVar[AssignmentReason]
    ASSIGNMENT_REASON_POOL_CLAIM: _ClassVar[AssignmentReason]
    ASSIGNMENT_REASON_REASSIGN: _ClassVar[AssignmentReason]

class PoolReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    POOL_REASON_UNSPECIFIED: _ClassVar[PoolReason]
    POOL_REASON_NO_RULE_MATCHED: _ClassVar[PoolReason]
    POOL_REASON_NO_AGENT_AVAILABLE: _ClassVar[PoolReason]
    POOL_REASON_BELOW_SCORE_GRADE: _ClassVar[PoolReason]
    POOL_REASON_RULE_METHOD_POOL: _ClassVar[PoolReason]
    POOL_REASON_RECLAIMED: _ClassVar[PoolReason]
    POOL_REASON_RELEASED: _ClassVar[PoolReason]

class FollowUpKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FOLLOW_UP_KIND_UNSPECIFIED: _ClassVar[FollowUpKind]
    FOLLOW_UP_KIND_CALL: _ClassVar[FollowUpKind]
    FOLLOW_UP_KIND_WECHAT_ADDED: _ClassVar[FollowUpKind]
    FOLLOW_UP_KIND_VISIT: _ClassVar[FollowUpKind]
    FOLLOW_UP_KIND_NOTE: _ClassVar[FollowUpKind]

class FollowUpOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FOLLOW_UP_OUTCOME_UNSPECIFIED: _ClassVar[FollowUpOutcome]
    FOLLOW_UP_OUTCOME_NOT_REACHED: _ClassVar[FollowUpOutcome]
    FOLLOW_UP_OUTCOME_REACHED: _ClassVar[FollowUpOutcome]
    FOLLOW_UP_OUTCOME_INTERESTED: _ClassVar[FollowUpOutcome]
    FOLLOW_UP_OUTCOME_NOT_INTERESTED: _ClassVar[FollowUpOutcome]
    FOLLOW_UP_OUTCOME_CONVERTED: _ClassVar[FollowUpOutcome]
    FOLLOW_UP_OUTCOME_INVALID: _ClassVar[FollowUpOutcome]

class LeadInvalidReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LEAD_INVALID_REASON_UNSPECIFIED: _ClassVar[LeadInvalidReason]
    LEAD_INVALID_REASON_WRONG_PERSON: _ClassVar[LeadInvalidReason]
    LEAD_INVALID_REASON_FAKE_DETAILS: _ClassVar[LeadInvalidReason]
    LEAD_INVALID_REASON_NO_INTENT: _ClassVar[LeadInvalidReason]
    LEAD_INVALID_REASON_COMPETITOR: _ClassVar[LeadInvalidReason]
    LEAD_INVALID_REASON_UNREACHABLE: _ClassVar[LeadInvalidReason]
    LEAD_INVALID_REASON_OTHER: _ClassVar[LeadInvalidReason]

class TagScope(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TAG_SCOPE_UNSPECIFIED: _ClassVar[TagScope]
    TAG_SCOPE_ENTERPRISE: _ClassVar[TagScope]
    TAG_SCOPE_PERSONAL: _ClassVar[TagScope]

class TagState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TAG_STATE_UNSPECIFIED: _ClassVar[TagState]
    TAG_STATE_ACTIVE: _ClassVar[TagState]
    TAG_STATE_RETIRED: _ClassVar[TagState]
AGENT_STATUS_UNSPECIFIED: AgentStatus
AGENT_STATUS_ONLINE: AgentStatus
AGENT_STATUS_OFFLINE: AgentStatus
AGENT_STATUS_ON_LEAVE: AgentStatus
ASSIGNMENT_METHOD_UNSPECIFIED: AssignmentMethod
ASSIGNMENT_METHOD_DESIGNATED: AssignmentMethod
ASSIGNMENT_METHOD_ROUND_ROBIN: AssignmentMethod
ASSIGNMENT_METHOD_WEIGHTED: AssignmentMethod
ASSIGNMENT_METHOD_LEAST_LOADED: AssignmentMethod
ASSIGNMENT_METHOD_POOL: AssignmentMethod
SCORE_GRADE_UNSPECIFIED: ScoreGrade
SCORE_GRADE_A: ScoreGrade
SCORE_GRADE_B: ScoreGrade
SCORE_GRADE_C: ScoreGrade
SCORE_GRADE_D: ScoreGrade
ASSIGNMENT_STATE_UNSPECIFIED: AssignmentState
ASSIGNMENT_STATE_ACTIVE: AssignmentState
ASSIGNMENT_STATE_RELEASED: AssignmentState
ASSIGNMENT_STATE_RECLAIMED: AssignmentState
ASSIGNMENT_STATE_REASSIGNED: AssignmentState
ASSIGNMENT_STATE_CLOSED: AssignmentState
ASSIGNMENT_REASON_UNSPECIFIED: AssignmentReason
ASSIGNMENT_REASON_RULE: AssignmentReason
ASSIGNMENT_REASON_FAMILIARITY: AssignmentReason
ASSIGNMENT_REASON_POOL_CLAIM: AssignmentReason
ASSIGNMENT_REASON_REASSIGN: AssignmentReason
POOL_REASON_UNSPECIFIED: PoolReason
POOL_REASON_NO_RULE_MATCHED: PoolReason
POOL_REASON_NO_AGENT_AVAILABLE: PoolReason
POOL_REASON_BELOW_SCORE_GRADE: PoolReason
POOL_REASON_RULE_METHOD_POOL: PoolReason
POOL_REASON_RECLAIMED: PoolReason
POOL_REASON_RELEASED: PoolReason
FOLLOW_UP_KIND_UNSPECIFIED: FollowUpKind
FOLLOW_UP_KIND_CALL: FollowUpKind
FOLLOW_UP_KIND_WECHAT_ADDED: FollowUpKind
FOLLOW_UP_KIND_VISIT: FollowUpKind
FOLLOW_UP_KIND_NOTE: FollowUpKind
FOLLOW_UP_OUTCOME_UNSPECIFIED: FollowUpOutcome
FOLLOW_UP_OUTCOME_NOT_REACHED: FollowUpOutcome
FOLLOW_UP_OUTCOME_REACHED: FollowUpOutcome
FOLLOW_UP_OUTCOME_INTERESTED: FollowUpOutcome
FOLLOW_UP_OUTCOME_NOT_INTERESTED: FollowUpOutcome
FOLLOW_UP_OUTCOME_CONVERTED: FollowUpOutcome
FOLLOW_UP_OUTCOME_INVALID: FollowUpOutcome
LEAD_INVALID_REASON_UNSPECIFIED: LeadInvalidReason
LEAD_INVALID_REASON_WRONG_PERSON: LeadInvalidReason
LEAD_INVALID_REASON_FAKE_DETAILS: LeadInvalidReason
LEAD_INVALID_REASON_NO_INTENT: LeadInvalidReason
LEAD_INVALID_REASON_COMPETITOR: LeadInvalidReason
LEAD_INVALID_REASON_UNREACHABLE: LeadInvalidReason
LEAD_INVALID_REASON_OTHER: LeadInvalidReason
TAG_SCOPE_UNSPECIFIED: TagScope
TAG_SCOPE_ENTERPRISE: TagScope
TAG_SCOPE_PERSONAL: TagScope
TAG_STATE_UNSPECIFIED: TagState
TAG_STATE_ACTIVE: TagState
TAG_STATE_RETIRED: TagState

class Shift(_message.Message):
    __slots__ = ("day_of_week", "window")
    DAY_OF_WEEK_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    day_of_week: _schedule_pb2.DayOfWeek
    window: _schedule_pb2.DailyWindow
    def __init__(self, day_of_week: _Optional[_Union[_schedule_pb2.DayOfWeek, str]] = ..., window: _Optional[_Union[_schedule_pb2.DailyWindow, _Mapping]] = ...) -> None: ...

class WorkingHours(_message.Message):
    __slots__ = ("time_zone", "shifts")
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    SHIFTS_FIELD_NUMBER: _ClassVar[int]
    time_zone: str
    shifts: _containers.RepeatedCompositeFieldContainer[Shift]
    def __init__(self, time_zone: _Optional[str] = ..., shifts: _Optional[_Iterable[_Union[Shift, _Mapping]]] = ...) -> None: ...

class Agent(_message.Message):
    __slots__ = ("id", "team_id", "display_name", "phone", "regions", "weight", "daily_capacity", "max_held_leads", "working_hours", "status", "user_id", "create_time", "update_time", "phone_masked", "revision")
    ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    REGIONS_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    DAILY_CAPACITY_FIELD_NUMBER: _ClassVar[int]
    MAX_HELD_LEADS_FIELD_NUMBER: _ClassVar[int]
    WORKING_HOURS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    PHONE_MASKED_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    id: str
    team_id: str
    display_name: str
    phone: str
    regions: _containers.RepeatedCompositeFieldContainer[_region_pb2.Region]
    weight: int
    daily_capacity: int
    max_held_leads: int
    working_hours: WorkingHours
    status: AgentStatus
    user_id: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    phone_masked: str
    revision: int
    def __init__(self, id: _Optional[str] = ..., team_id: _Optional[str] = ..., display_name: _Optional[str] = ..., phone: _Optional[str] = ..., regions: _Optional[_Iterable[_Union[_region_pb2.Region, _Mapping]]] = ..., weight: _Optional[int] = ..., daily_capacity: _Optional[int] = ..., max_held_leads: _Optional[int] = ..., working_hours: _Optional[_Union[WorkingHours, _Mapping]] = ..., status: _Optional[_Union[AgentStatus, str]] = ..., user_id: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., phone_masked: _Optional[str] = ..., revision: _Optional[int] = ...) -> None: ...

class Team(_message.Message):
    __slots__ = ("id", "display_name", "admin_agent_ids", "create_time", "update_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    ADMIN_AGENT_IDS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    display_name: str
    admin_agent_ids: _containers.RepeatedScalarFieldContainer[str]
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., display_name: _Optional[str] = ..., admin_agent_ids: _Optional[_Iterable[str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateAgentRequest(_message.Message):
    __slots__ = ("agent", "request_id")
    AGENT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    agent: Agent
    request_id: str
    def __init__(self, agent: _Optional[_Union[Agent, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateAgentResponse(_message.Message):
    __slots__ = ("agent",)
    AGENT_FIELD_NUMBER: _ClassVar[int]
    agent: Agent
    def __init__(self, agent: _Optional[_Union[Agent, _Mapping]] = ...) -> None: ...

class GetAgentRequest(_message.Message):
    __slots__ = ("agent_id",)
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    def __init__(self, agent_id: _Optional[str] = ...) -> None: ...

class GetAgentResponse(_message.Message):
    __slots__ = ("agent",)
    AGENT_FIELD_NUMBER: _ClassVar[int]
    agent: Agent
    def __init__(self, agent: _Optional[_Union[Agent, _Mapping]] = ...) -> None: ...

class UpdateAgentRequest(_message.Message):
    __slots__ = ("agent", "update_mask")
    AGENT_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    agent: Agent
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, agent: _Optional[_Union[Agent, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateAgentResponse(_message.Message):
    __slots__ = ("agent",)
    AGENT_FIELD_NUMBER: _ClassVar[int]
    agent: Agent
    def __init__(self, agent: _Optional[_Union[Agent, _Mapping]] = ...) -> None: ...

class DeleteAgentRequest(_message.Message):
    __slots__ = ("agent_id",)
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    def __init__(self, agent_id: _Optional[str] = ...) -> None: ...

class DeleteAgentResponse(_message.Message):
    __slots__ = ("released_count",)
    RELEASED_COUNT_FIELD_NUMBER: _ClassVar[int]
    released_count: int
    def __init__(self, released_count: _Optional[int] = ...) -> None: ...

class ListAgentsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "team_id", "status")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    team_id: str
    status: AgentStatus
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., team_id: _Optional[str] = ..., status: _Optional[_Union[AgentStatus, str]] = ...) -> None: ...

class ListAgentsResponse(_message.Message):
    __slots__ = ("agents", "next_page_token")
    AGENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    agents: _containers.RepeatedCompositeFieldContainer[Agent]
    next_page_token: str
    def __init__(self, agents: _Optional[_Iterable[_Union[Agent, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CreateTeamRequest(_message.Message):
    __slots__ = ("team", "request_id")
    TEAM_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    team: Team
    request_id: str
    def __init__(self, team: _Optional[_Union[Team, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateTeamResponse(_message.Message):
    __slots__ = ("team",)
    TEAM_FIELD_NUMBER: _ClassVar[int]
    team: Team
    def __init__(self, team: _Optional[_Union[Team, _Mapping]] = ...) -> None: ...

class GetTeamRequest(_message.Message):
    __slots__ = ("team_id",)
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    team_id: str
    def __init__(self, team_id: _Optional[str] = ...) -> None: ...

class GetTeamResponse(_message.Message):
    __slots__ = ("team",)
    TEAM_FIELD_NUMBER: _ClassVar[int]
    team: Team
    def __init__(self, team: _Optional[_Union[Team, _Mapping]] = ...) -> None: ...

class UpdateTeamRequest(_message.Message):
    __slots__ = ("team", "update_mask")
    TEAM_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    team: Team
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, team: _Optional[_Union[Team, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateTeamResponse(_message.Message):
    __slots__ = ("team",)
    TEAM_FIELD_NUMBER: _ClassVar[int]
    team: Team
    def __init__(self, team: _Optional[_Union[Team, _Mapping]] = ...) -> None: ...

class DeleteTeamRequest(_message.Message):
    __slots__ = ("team_id",)
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    team_id: str
    def __init__(self, team_id: _Optional[str] = ...) -> None: ...

class DeleteTeamResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListTeamsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListTeamsResponse(_message.Message):
    __slots__ = ("teams", "next_page_token")
    TEAMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    teams: _containers.RepeatedCompositeFieldContainer[Team]
    next_page_token: str
    def __init__(self, teams: _Optional[_Iterable[_Union[Team, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class RuleCriteria(_message.Message):
    __slots__ = ("channels", "traffic_sources", "business_sources", "campaign_ids", "regions", "score_grades")
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    TRAFFIC_SOURCES_FIELD_NUMBER: _ClassVar[int]
    BUSINESS_SOURCES_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_IDS_FIELD_NUMBER: _ClassVar[int]
    REGIONS_FIELD_NUMBER: _ClassVar[int]
    SCORE_GRADES_FIELD_NUMBER: _ClassVar[int]
    channels: _containers.RepeatedScalarFieldContainer[_lead_pb2.Channel]
    traffic_sources: _containers.RepeatedScalarFieldContainer[_lead_pb2.TrafficSource]
    business_sources: _containers.RepeatedScalarFieldContainer[_lead_pb2.BusinessSource]
    campaign_ids: _containers.RepeatedScalarFieldContainer[str]
    regions: _containers.RepeatedCompositeFieldContainer[_region_pb2.Region]
    score_grades: _containers.RepeatedScalarFieldContainer[ScoreGrade]
    def __init__(self, channels: _Optional[_Iterable[_Union[_lead_pb2.Channel, str]]] = ..., traffic_sources: _Optional[_Iterable[_Union[_lead_pb2.TrafficSource, str]]] = ..., business_sources: _Optional[_Iterable[_Union[_lead_pb2.BusinessSource, str]]] = ..., campaign_ids: _Optional[_Iterable[str]] = ..., regions: _Optional[_Iterable[_Union[_region_pb2.Region, _Mapping]]] = ..., score_grades: _Optional[_Iterable[_Union[ScoreGrade, str]]] = ...) -> None: ...

class AssignmentRule(_message.Message):
    __slots__ = ("id", "display_name", "criteria", "method", "agent_id", "team_id", "min_score_grade")
    ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    CRITERIA_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    MIN_SCORE_GRADE_FIELD_NUMBER: _ClassVar[int]
    id: str
    display_name: str
    criteria: RuleCriteria
    method: AssignmentMethod
    agent_id: str
    team_id: str
    min_score_grade: ScoreGrade
    def __init__(self, id: _Optional[str] = ..., display_name: _Optional[str] = ..., criteria: _Optional[_Union[RuleCriteria, _Mapping]] = ..., method: _Optional[_Union[AssignmentMethod, str]] = ..., agent_id: _Optional[str] = ..., team_id: _Optional[str] = ..., min_score_grade: _Optional[_Union[ScoreGrade, str]] = ...) -> None: ...

class ScoreThresholds(_message.Message):
    __slots__ = ("min_score_a", "min_score_b", "min_score_c")
    MIN_SCORE_A_FIELD_NUMBER: _ClassVar[int]
    MIN_SCORE_B_FIELD_NUMBER: _ClassVar[int]
    MIN_SCORE_C_FIELD_NUMBER: _ClassVar[int]
    min_score_a: int
    min_score_b: int
    min_score_c: int
    def __init__(self, min_score_a: _Optional[int] = ..., min_score_b: _Optional[int] = ..., min_score_c: _Optional[int] = ...) -> None: ...

class ReminderSettings(_message.Message):
    __slots__ = ("interval", "escalate_after_count", "quiet_hours", "time_zone")
    INTERVAL_FIELD_NUMBER: _ClassVar[int]
    ESCALATE_AFTER_COUNT_FIELD_NUMBER: _ClassVar[int]
    QUIET_HOURS_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    interval: _duration_pb2.Duration
    escalate_after_count: int
    quiet_hours: _schedule_pb2.DailyWindow
    time_zone: str
    def __init__(self, interval: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., escalate_after_count: _Optional[int] = ..., quiet_hours: _Optional[_Union[_schedule_pb2.DailyWindow, _Mapping]] = ..., time_zone: _Optional[str] = ...) -> None: ...

class AssignmentPolicy(_message.Message):
    __slots__ = ("account_id", "rules", "reclaim_after", "reclaim_cooldown", "disable_familiarity", "reminders", "update_time", "updated_by", "score_thresholds")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    RECLAIM_AFTER_FIELD_NUMBER: _ClassVar[int]
    RECLAIM_COOLDOWN_FIELD_NUMBER: _ClassVar[int]
    DISABLE_FAMILIARITY_FIELD_NUMBER: _ClassVar[int]
    REMINDERS_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    SCORE_THRESHOLDS_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    rules: _containers.RepeatedCompositeFieldContainer[AssignmentRule]
    reclaim_after: _duration_pb2.Duration
    reclaim_cooldown: _duration_pb2.Duration
    disable_familiarity: bool
    reminders: ReminderSettings
    update_time: _timestamp_pb2.Timestamp
    updated_by: str
    score_thresholds: ScoreThresholds
    def __init__(self, account_id: _Optional[str] = ..., rules: _Optional[_Iterable[_Union[AssignmentRule, _Mapping]]] = ..., reclaim_after: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., reclaim_cooldown: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., disable_familiarity: _Optional[bool] = ..., reminders: _Optional[_Union[ReminderSettings, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_by: _Optional[str] = ..., score_thresholds: _Optional[_Union[ScoreThresholds, _Mapping]] = ...) -> None: ...

class SetAssignmentPolicyRequest(_message.Message):
    __slots__ = ("policy", "request_id")
    POLICY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    policy: AssignmentPolicy
    request_id: str
    def __init__(self, policy: _Optional[_Union[AssignmentPolicy, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class SetAssignmentPolicyResponse(_message.Message):
    __slots__ = ("policy",)
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: AssignmentPolicy
    def __init__(self, policy: _Optional[_Union[AssignmentPolicy, _Mapping]] = ...) -> None: ...

class GetAssignmentPolicyRequest(_message.Message):
    __slots__ = ("account_id",)
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    def __init__(self, account_id: _Optional[str] = ...) -> None: ...

class GetAssignmentPolicyResponse(_message.Message):
    __slots__ = ("policy",)
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: AssignmentPolicy
    def __init__(self, policy: _Optional[_Union[AssignmentPolicy, _Mapping]] = ...) -> None: ...

class PolicyRevision(_message.Message):
    __slots__ = ("id", "actor", "change_time", "policy")
    ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    CHANGE_TIME_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    id: str
    actor: str
    change_time: _timestamp_pb2.Timestamp
    policy: AssignmentPolicy
    def __init__(self, id: _Optional[str] = ..., actor: _Optional[str] = ..., change_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., policy: _Optional[_Union[AssignmentPolicy, _Mapping]] = ...) -> None: ...

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
    __slots__ = ("revisions", "next_page_token")
    REVISIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    revisions: _containers.RepeatedCompositeFieldContainer[PolicyRevision]
    next_page_token: str
    def __init__(self, revisions: _Optional[_Iterable[_Union[PolicyRevision, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class Assignment(_message.Message):
    __slots__ = ("id", "lead_id", "account_id", "agent_id", "team_id", "state", "reason", "rule_id", "assign_time", "first_follow_up_time", "reclaim_due_time", "end_time", "tag_ids", "score_grade", "channel", "phone_region", "previous_agent_id", "score", "next_follow_up_time", "reminders_sent", "reassign_reason", "release_reason")
    ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGN_TIME_FIELD_NUMBER: _ClassVar[int]
    FIRST_FOLLOW_UP_TIME_FIELD_NUMBER: _ClassVar[int]
    RECLAIM_DUE_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    TAG_IDS_FIELD_NUMBER: _ClassVar[int]
    SCORE_GRADE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    PHONE_REGION_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    NEXT_FOLLOW_UP_TIME_FIELD_NUMBER: _ClassVar[int]
    REMINDERS_SENT_FIELD_NUMBER: _ClassVar[int]
    REASSIGN_REASON_FIELD_NUMBER: _ClassVar[int]
    RELEASE_REASON_FIELD_NUMBER: _ClassVar[int]
    id: str
    lead_id: str
    account_id: str
    agent_id: str
    team_id: str
    state: AssignmentState
    reason: AssignmentReason
    rule_id: str
    assign_time: _timestamp_pb2.Timestamp
    first_follow_up_time: _timestamp_pb2.Timestamp
    reclaim_due_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    tag_ids: _containers.RepeatedScalarFieldContainer[str]
    score_grade: ScoreGrade
    channel: _lead_pb2.Channel
    phone_region: _region_pb2.Region
    previous_agent_id: str
    score: int
    next_follow_up_time: _timestamp_pb2.Timestamp
    reminders_sent: int
    reassign_reason: str
    release_reason: str
    def __init__(self, id: _Optional[str] = ..., lead_id: _Optional[str] = ..., account_id: _Optional[str] = ..., agent_id: _Optional[str] = ..., team_id: _Optional[str] = ..., state: _Optional[_Union[AssignmentState, str]] = ..., reason: _Optional[_Union[AssignmentReason, str]] = ..., rule_id: _Optional[str] = ..., assign_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., first_follow_up_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reclaim_due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., tag_ids: _Optional[_Iterable[str]] = ..., score_grade: _Optional[_Union[ScoreGrade, str]] = ..., channel: _Optional[_Union[_lead_pb2.Channel, str]] = ..., phone_region: _Optional[_Union[_region_pb2.Region, _Mapping]] = ..., previous_agent_id: _Optional[str] = ..., score: _Optional[int] = ..., next_follow_up_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reminders_sent: _Optional[int] = ..., reassign_reason: _Optional[str] = ..., release_reason: _Optional[str] = ...) -> None: ...

class GetAssignmentRequest(_message.Message):
    __slots__ = ("assignment_id",)
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    assignment_id: str
    def __init__(self, assignment_id: _Optional[str] = ...) -> None: ...

class GetAssignmentResponse(_message.Message):
    __slots__ = ("assignment",)
    ASSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    assignment: Assignment
    def __init__(self, assignment: _Optional[_Union[Assignment, _Mapping]] = ...) -> None: ...

class ListAssignmentsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "agent_id", "lead_id", "account_id", "state", "tag_ids", "has_follow_up", "assign_start_time", "assign_end_time")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    TAG_IDS_FIELD_NUMBER: _ClassVar[int]
    HAS_FOLLOW_UP_FIELD_NUMBER: _ClassVar[int]
    ASSIGN_START_TIME_FIELD_NUMBER: _ClassVar[int]
    ASSIGN_END_TIME_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    agent_id: str
    lead_id: str
    account_id: str
    state: AssignmentState
    tag_ids: _containers.RepeatedScalarFieldContainer[str]
    has_follow_up: bool
    assign_start_time: _timestamp_pb2.Timestamp
    assign_end_time: _timestamp_pb2.Timestamp
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., agent_id: _Optional[str] = ..., lead_id: _Optional[str] = ..., account_id: _Optional[str] = ..., state: _Optional[_Union[AssignmentState, str]] = ..., tag_ids: _Optional[_Iterable[str]] = ..., has_follow_up: _Optional[bool] = ..., assign_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., assign_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListAssignmentsResponse(_message.Message):
    __slots__ = ("assignments", "next_page_token", "total_size")
    ASSIGNMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    assignments: _containers.RepeatedCompositeFieldContainer[Assignment]
    next_page_token: str
    total_size: int
    def __init__(self, assignments: _Optional[_Iterable[_Union[Assignment, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class PoolEntry(_message.Message):
    __slots__ = ("lead_id", "account_id", "reason", "enter_time", "previous_agent_id", "tag_ids", "channel", "phone_region", "score_grade", "score", "rule_id")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ENTER_TIME_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    TAG_IDS_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    PHONE_REGION_FIELD_NUMBER: _ClassVar[int]
    SCORE_GRADE_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    account_id: str
    reason: PoolReason
    enter_time: _timestamp_pb2.Timestamp
    previous_agent_id: str
    tag_ids: _containers.RepeatedScalarFieldContainer[str]
    channel: _lead_pb2.Channel
    phone_region: _region_pb2.Region
    score_grade: ScoreGrade
    score: int
    rule_id: str
    def __init__(self, lead_id: _Optional[str] = ..., account_id: _Optional[str] = ..., reason: _Optional[_Union[PoolReason, str]] = ..., enter_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., previous_agent_id: _Optional[str] = ..., tag_ids: _Optional[_Iterable[str]] = ..., channel: _Optional[_Union[_lead_pb2.Channel, str]] = ..., phone_region: _Optional[_Union[_region_pb2.Region, _Mapping]] = ..., score_grade: _Optional[_Union[ScoreGrade, str]] = ..., score: _Optional[int] = ..., rule_id: _Optional[str] = ...) -> None: ...

class ListPoolRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "account_id", "tag_ids", "channel", "province", "reason")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    TAG_IDS_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    PROVINCE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    account_id: str
    tag_ids: _containers.RepeatedScalarFieldContainer[str]
    channel: _lead_pb2.Channel
    province: str
    reason: PoolReason
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., account_id: _Optional[str] = ..., tag_ids: _Optional[_Iterable[str]] = ..., channel: _Optional[_Union[_lead_pb2.Channel, str]] = ..., province: _Optional[str] = ..., reason: _Optional[_Union[PoolReason, str]] = ...) -> None: ...

class ListPoolResponse(_message.Message):
    __slots__ = ("entries", "next_page_token", "total_size")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[PoolEntry]
    next_page_token: str
    total_size: int
    def __init__(self, entries: _Optional[_Iterable[_Union[PoolEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class ClaimFromPoolRequest(_message.Message):
    __slots__ = ("lead_id", "agent_id", "request_id")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    agent_id: str
    request_id: str
    def __init__(self, lead_id: _Optional[str] = ..., agent_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ClaimFromPoolResponse(_message.Message):
    __slots__ = ("assignment",)
    ASSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    assignment: Assignment
    def __init__(self, assignment: _Optional[_Union[Assignment, _Mapping]] = ...) -> None: ...

class ReleaseToPoolRequest(_message.Message):
    __slots__ = ("lead_id", "reason", "request_id")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    reason: str
    request_id: str
    def __init__(self, lead_id: _Optional[str] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ReleaseToPoolResponse(_message.Message):
    __slots__ = ("entry",)
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    entry: PoolEntry
    def __init__(self, entry: _Optional[_Union[PoolEntry, _Mapping]] = ...) -> None: ...

class ReassignRequest(_message.Message):
    __slots__ = ("lead_id", "agent_id", "reason", "request_id")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    agent_id: str
    reason: str
    request_id: str
    def __init__(self, lead_id: _Optional[str] = ..., agent_id: _Optional[str] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ReassignResponse(_message.Message):
    __slots__ = ("assignment",)
    ASSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    assignment: Assignment
    def __init__(self, assignment: _Optional[_Union[Assignment, _Mapping]] = ...) -> None: ...

class FollowUp(_message.Message):
    __slots__ = ("id", "lead_id", "assignment_id", "agent_id", "kind", "outcome", "note", "call_id", "follow_up_time", "next_follow_up_time", "create_time", "invalid_reason")
    ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_UP_TIME_FIELD_NUMBER: _ClassVar[int]
    NEXT_FOLLOW_UP_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    INVALID_REASON_FIELD_NUMBER: _ClassVar[int]
    id: str
    lead_id: str
    assignment_id: str
    agent_id: str
    kind: FollowUpKind
    outcome: FollowUpOutcome
    note: str
    call_id: str
    follow_up_time: _timestamp_pb2.Timestamp
    next_follow_up_time: _timestamp_pb2.Timestamp
    create_time: _timestamp_pb2.Timestamp
    invalid_reason: LeadInvalidReason
    def __init__(self, id: _Optional[str] = ..., lead_id: _Optional[str] = ..., assignment_id: _Optional[str] = ..., agent_id: _Optional[str] = ..., kind: _Optional[_Union[FollowUpKind, str]] = ..., outcome: _Optional[_Union[FollowUpOutcome, str]] = ..., note: _Optional[str] = ..., call_id: _Optional[str] = ..., follow_up_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., next_follow_up_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., invalid_reason: _Optional[_Union[LeadInvalidReason, str]] = ...) -> None: ...

class RecordFollowUpRequest(_message.Message):
    __slots__ = ("follow_up", "request_id")
    FOLLOW_UP_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    follow_up: FollowUp
    request_id: str
    def __init__(self, follow_up: _Optional[_Union[FollowUp, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class RecordFollowUpResponse(_message.Message):
    __slots__ = ("follow_up",)
    FOLLOW_UP_FIELD_NUMBER: _ClassVar[int]
    follow_up: FollowUp
    def __init__(self, follow_up: _Optional[_Union[FollowUp, _Mapping]] = ...) -> None: ...

class ListFollowUpsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "lead_id", "agent_id")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    lead_id: str
    agent_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., lead_id: _Optional[str] = ..., agent_id: _Optional[str] = ...) -> None: ...

class ListFollowUpsResponse(_message.Message):
    __slots__ = ("follow_ups", "next_page_token")
    FOLLOW_UPS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    follow_ups: _containers.RepeatedCompositeFieldContainer[FollowUp]
    next_page_token: str
    def __init__(self, follow_ups: _Optional[_Iterable[_Union[FollowUp, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class Tag(_message.Message):
    __slots__ = ("id", "display_name", "scope", "owner_agent_id", "state", "create_time", "update_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    OWNER_AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    display_name: str
    scope: TagScope
    owner_agent_id: str
    state: TagState
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., display_name: _Optional[str] = ..., scope: _Optional[_Union[TagScope, str]] = ..., owner_agent_id: _Optional[str] = ..., state: _Optional[_Union[TagState, str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateTagRequest(_message.Message):
    __slots__ = ("tag", "request_id")
    TAG_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    tag: Tag
    request_id: str
    def __init__(self, tag: _Optional[_Union[Tag, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateTagResponse(_message.Message):
    __slots__ = ("tag",)
    TAG_FIELD_NUMBER: _ClassVar[int]
    tag: Tag
    def __init__(self, tag: _Optional[_Union[Tag, _Mapping]] = ...) -> None: ...

class UpdateTagRequest(_message.Message):
    __slots__ = ("tag", "update_mask")
    TAG_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    tag: Tag
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, tag: _Optional[_Union[Tag, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateTagResponse(_message.Message):
    __slots__ = ("tag",)
    TAG_FIELD_NUMBER: _ClassVar[int]
    tag: Tag
    def __init__(self, tag: _Optional[_Union[Tag, _Mapping]] = ...) -> None: ...

class ListTagsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "scope", "state")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    scope: TagScope
    state: TagState
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., scope: _Optional[_Union[TagScope, str]] = ..., state: _Optional[_Union[TagState, str]] = ...) -> None: ...

class ListTagsResponse(_message.Message):
    __slots__ = ("tags", "next_page_token")
    TAGS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tags: _containers.RepeatedCompositeFieldContainer[Tag]
    next_page_token: str
    def __init__(self, tags: _Optional[_Iterable[_Union[Tag, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class AddLeadTagsRequest(_message.Message):
    __slots__ = ("lead_id", "tag_ids")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    TAG_IDS_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    tag_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, lead_id: _Optional[str] = ..., tag_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class AddLeadTagsResponse(_message.Message):
    __slots__ = ("tag_ids",)
    TAG_IDS_FIELD_NUMBER: _ClassVar[int]
    tag_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, tag_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class RemoveLeadTagsRequest(_message.Message):
    __slots__ = ("lead_id", "tag_ids")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    TAG_IDS_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    tag_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, lead_id: _Optional[str] = ..., tag_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class RemoveLeadTagsResponse(_message.Message):
    __slots__ = ("tag_ids",)
    TAG_IDS_FIELD_NUMBER: _ClassVar[int]
    tag_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, tag_ids: _Optional[_Iterable[str]] = ...) -> None: ...
