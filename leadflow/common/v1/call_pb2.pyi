from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

class CallOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CALL_OUTCOME_UNSPECIFIED: _ClassVar[CallOutcome]
    CALL_OUTCOME_ANSWERED: _ClassVar[CallOutcome]
    CALL_OUTCOME_BUSY: _ClassVar[CallOutcome]
    CALL_OUTCOME_NO_ANSWER: _ClassVar[CallOutcome]
    CALL_OUTCOME_REJECTED: _ClassVar[CallOutcome]
    CALL_OUTCOME_POWERED_OFF: _ClassVar[CallOutcome]
    CALL_OUTCOME_EMPTY_NUMBER: _ClassVar[CallOutcome]
    CALL_OUTCOME_SUSPENDED: _ClassVar[CallOutcome]
    CALL_OUTCOME_UNREACHABLE: _ClassVar[CallOutcome]
    CALL_OUTCOME_CALLER_CANCELLED: _ClassVar[CallOutcome]
    CALL_OUTCOME_BLOCKED: _ClassVar[CallOutcome]
    CALL_OUTCOME_NETWORK_ERROR: _ClassVar[CallOutcome]
    CALL_OUTCOME_UNKNOWN: _ClassVar[CallOutcome]
CALL_OUTCOME_UNSPECIFIED: CallOutcome
CALL_OUTCOME_ANSWERED: CallOutcome
CALL_OUTCOME_BUSY: CallOutcome
CALL_OUTCOME_NO_ANSWER: CallOutcome
CALL_OUTCOME_REJECTED: CallOutcome
CALL_OUTCOME_POWERED_OFF: CallOutcome
CALL_OUTCOME_EMPTY_NUMBER: CallOutcome
CALL_OUTCOME_SUSPENDED: CallOutcome
CALL_OUTCOME_UNREACHABLE: CallOutcome
CALL_OUTCOME_CALLER_CANCELLED: CallOutcome
CALL_OUTCOME_BLOCKED: CallOutcome
CALL_OUTCOME_NETWORK_ERROR: CallOutcome
CALL_OUTCOME_UNKNOWN: CallOutcome
