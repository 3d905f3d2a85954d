"""A-X-B bindings: an agent (A) and a lead (B) tied to a masked number (X) for a while."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import IntEnum

DEFAULT_BINDING_TTL = timedelta(hours=72)  # long enough for the lead to call back


class BindingState(IntEnum):
    """leadflow.telephony.v1.BindingState."""

    UNSPECIFIED = 0
    ACTIVE = 1
    RELEASED = 2
    EXPIRED = 3


@dataclass(frozen=True)
class Binding:
    binding_id: str
    number_id: str
    lead_id: str
    agent_id: str
    create_time: datetime
    expire_time: datetime
    release_time: datetime | None = None
    provider_binding_id: str = ""  # the carrier's id (Aliyun subs_id), for UnbindSubscription

    @classmethod
    def new(
        cls, binding_id: str, number_id: str, lead_id: str, agent_id: str, now: datetime, ttl: timedelta
    ) -> Binding:
        if ttl <= timedelta(0):
            raise ValueError("a binding's TTL must be positive")
        return cls(binding_id, number_id, lead_id, agent_id, now, now + ttl)

    def state_at(self, now: datetime) -> BindingState:
        if self.release_time is not None:
            return BindingState.RELEASED
        return BindingState.ACTIVE if now < self.expire_time else BindingState.EXPIRED

    def is_active(self, now: datetime) -> bool:
        return self.state_at(now) is BindingState.ACTIVE

    def release(self, now: datetime) -> Binding:
        """Released at ``now``; releasing a released or expired binding changes nothing."""
        return replace(self, release_time=now) if self.is_active(now) else self


def reusable_binding(
    bindings: Iterable[Binding], lead_id: str, agent_id: str, now: datetime
) -> Binding | None:
    """The active binding of this agent and lead that the carrier confirmed, if any (StartCall reuses it instead of
    binding a second X); the one expiring last when, through a race, there are several. A binding without the
    carrier's id is not reused: its StartCall has not confirmed it (or died before it could)."""
    active = [
        b
        for b in bindings
        if b.lead_id == lead_id and b.agent_id == agent_id and b.is_active(now) and b.provider_binding_id
    ]
    return max(active, key=lambda b: (b.expire_time, b.binding_id), default=None)
