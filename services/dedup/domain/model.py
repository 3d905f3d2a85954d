"""The dedup domain's values: dimensions, scopes, actions, verdicts, policies, fingerprints, matches.

Plain Python (no grpc, sqlalchemy or nats). Enum values are the numbers of the protobuf enums of
``leadflow.common.v1`` / ``leadflow.dedup.v1`` so that converting is a cast, but the domain never imports them.

Times are timezone-aware UTC ``datetime`` values with microsecond precision (the API truncates protobuf nanos to
microseconds); windows are ``timedelta`` values where ``timedelta(0)`` means *forever*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum

KEY_HASH_BYTES = 32  # HMAC-SHA256
FOREVER = timedelta(0)


class Dimension(IntEnum):
    """An identity by which two submissions are recognised as the same person (leadflow.common.v1.DedupDimension)."""

    PHONE = 1
    WECHAT = 2
    EMAIL = 3
    IP = 4
    DEVICE = 5


# Priority of dimensions when matches disagree about the lead (see ``verdict.canonical_match``): a phone is the
# strongest identity, an IP address the weakest (shared by NAT and carriers).
DIMENSION_PRIORITY: dict[Dimension, int] = {
    Dimension.PHONE: 0,
    Dimension.WECHAT: 1,
    Dimension.EMAIL: 2,
    Dimension.DEVICE: 3,
    Dimension.IP: 4,
}


class Scope(IntEnum):
    """Which submissions are compared (leadflow.dedup.v1.DedupScope)."""

    ACCOUNT = 1
    ACCOUNT_GROUP = 2


class Action(IntEnum):
    """What the caller does with a duplicate (leadflow.dedup.v1.DedupAction); 0 = not applicable."""

    UNSPECIFIED = 0
    MERGE = 1
    FLAG = 2


class Verdict(IntEnum):
    """leadflow.common.v1.LeadVerdict (the subset dedup answers)."""

    NEW = 1
    DUPLICATE = 2
    RETURNING = 3


class KeyOrigin(IntEnum):
    """Why an index key points at its lead; stored with the key and explained by ExplainLead."""

    CLAIMED = 1  # first claimed by this lead (a NEW or RETURNING submission brought the value)
    ATTACHED = 2  # brought by a duplicate submission and attached to this (canonical) lead
    RETURNING = 3  # moved to this returning lead after the window of the previous lead expired
    MOVED = 4  # window of the previous lead expired; moved to this lead, which a duplicate submission matched
    IMPORTED = 5  # written directly (bulk import / benchmark preload), not by a claim


# Writable fields of a policy, by their field-mask path.
WRITABLE_FIELDS: tuple[str, ...] = ("scope", "dimensions", "windows", "ip_window", "action")
OUTPUT_ONLY_FIELDS: tuple[str, ...] = ("account_id", "inherited_from_account_id", "update_time", "updated_by")

DEFAULT_DIMENSIONS: tuple[Dimension, ...] = (Dimension.PHONE,)
# IP addresses are shared (NAT, mobile carriers), so the IP window is short by default and may not be forever.
DEFAULT_IP_WINDOW = timedelta(days=1)


@dataclass(frozen=True)
class PolicyRules:
    """The writable part of a policy: what ``UpdateDedupPolicy`` changes and what a claim applies.

    ``dimensions`` is kept in canonical (enum) order without repeats; ``windows`` holds only non-IP dimensions with
    a positive window (a missing entry means forever); ``ip_window`` is the window of the IP dimension.
    """

    scope: Scope = Scope.ACCOUNT
    dimensions: tuple[Dimension, ...] = DEFAULT_DIMENSIONS
    windows: tuple[tuple[Dimension, timedelta], ...] = ()
    ip_window: timedelta = DEFAULT_IP_WINDOW
    action: Action = Action.MERGE

    def window_of(self, dimension: Dimension) -> timedelta:
        """The window of a dimension; ``FOREVER`` (zero) when none is set."""
        if dimension is Dimension.IP:
            return self.ip_window
        for dim, window in self.windows:
            if dim is dimension:
                return window
        return FOREVER

    def field_value(self, path: str) -> object:
        return getattr(self, path)


DEFAULT_RULES = PolicyRules()


@dataclass(frozen=True)
class StoredPolicy:
    """An account's own policy row: its rules and who last changed them, when."""

    account_id: str
    rules: PolicyRules
    update_time: datetime | None = None
    updated_by: str = ""


@dataclass(frozen=True)
class EffectivePolicy:
    """The policy that applies to an account: its own, its parent's while bound, or the default.

    ``policy_account_id`` is the account whose rules these are (the parent while bound); ``scope_key`` is the key
    space the account's claims are recorded and matched in:

    - scope ACCOUNT: the account itself (each account, even one bound to a parent, dedups only its own
      submissions, under the rules of ``policy_account_id``);
    - scope ACCOUNT_GROUP: the group's parent, i.e. the parent for a bound child and the account itself for a
      parent (or an unbound account, which is a group of one).

    ``key_spaces`` are the spaces a claim of the account is matched and recorded in: the scope key and, for a
    child of a group, also the child's own space. So a child's history from before it was bound still matches
    inside the group, and after unbinding the child still has the history of its bound period. (A key space
    only ever grows by claims: binding and unbinding move no keys.)
    """

    account_id: str
    rules: PolicyRules
    inherited_from: str = ""
    update_time: datetime | None = None
    updated_by: str = ""

    @property
    def policy_account_id(self) -> str:
        return self.inherited_from or self.account_id

    @property
    def scope_key(self) -> str:
        if self.rules.scope is Scope.ACCOUNT_GROUP:
            return self.policy_account_id
        return self.account_id

    @property
    def key_spaces(self) -> tuple[str, ...]:
        if self.scope_key == self.account_id:
            return (self.account_id,)
        return (self.scope_key, self.account_id)


@dataclass(frozen=True)
class Binding:
    parent_account_id: str
    child_account_id: str
    bind_time: datetime
    bound_by: str


@dataclass(frozen=True)
class PolicyChange:
    """One change of an account's effective policy (an update, a bind or an unbind)."""

    account_id: str
    actor: str
    change_time: datetime
    changed_fields: tuple[str, ...]
    old: EffectivePolicy | None
    new: EffectivePolicy
    affected_account_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class HistoryEntry:
    id: str
    account_id: str
    actor: str
    change_time: datetime
    changed_fields: tuple[str, ...]
    old: EffectivePolicy | None
    new: EffectivePolicy


@dataclass(frozen=True)
class Fingerprint:
    dimension: Dimension
    keyed_hash: bytes


@dataclass(frozen=True)
class IndexKey:
    """One row of the index, as the repository hands it to the domain."""

    id: int
    scope_key: str
    dimension: Dimension
    key_hash: bytes
    lead_id: str
    first_seen: datetime
    last_seen: datetime
    policy_account_id: str
    origin: KeyOrigin = KeyOrigin.CLAIMED
    origin_lead_id: str = ""


@dataclass(frozen=True)
class Match:
    """An existing lead holding one of the submission's fingerprints, judged against its window."""

    dimension: Dimension
    lead_id: str
    first_seen: datetime
    policy_account_id: str
    scope_key: str
    window: timedelta
    within_window: bool


@dataclass(frozen=True)
class ClaimResult:
    verdict: Verdict
    canonical_lead_id: str
    matches: tuple[Match, ...] = ()
    action: Action = Action.UNSPECIFIED


@dataclass(frozen=True)
class ExplainedKey:
    dimension: Dimension
    key_hash_prefix: str
    scope_account_id: str
    first_seen: datetime
    last_seen: datetime
    reason: str


@dataclass(frozen=True)
class Page:
    items: list = field(default_factory=list)
    next_page_token: str = ""
