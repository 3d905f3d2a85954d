"""The two parties of a masked call as telephony knows them: leads (B) and agents (A).

Telephony owns no leads or agents. It keeps its own copy of what it needs to call, built from other services'
events: the lead's phone, region and time zone from ``lead.accepted``, who holds the lead from ``lead.assigned``
(newest by the event's own ``occurred_time``, so a late or replayed assignment never undoes a newer one), and each
agent's A-leg phone from assign's agent events (newest by the snapshot's ``revision``; a deletion is a tombstone
with its revision, so a late ``updated`` cannot bring a deleted agent back).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache

import phonenumbers
from phonenumbers import timezone as phone_timezones

CHINA_TIME_ZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class LeadRecord:
    """A lead telephony may call. ``phone`` is E.164 ("" when the lead has none); ``province``/``city`` its home
    location; ``time_zone`` the IANA zone callable hours are read in ("" to use the tenant's default);
    ``holder_agent_id`` the agent who holds it ("" before the first ``lead.assigned``) as of ``holder_time``."""

    lead_id: str
    account_id: str
    phone: str
    province: str
    city: str
    time_zone: str
    accepted_time: datetime | None = None
    holder_agent_id: str = ""
    holder_time: datetime | None = None

    def assigned(self, agent_id: str, occurred: datetime) -> LeadRecord:
        """The lead held by ``agent_id`` since ``occurred``, unless a newer assignment is already known."""
        if self.holder_time is not None and occurred <= self.holder_time:
            return self
        return replace(self, holder_agent_id=agent_id, holder_time=occurred)


@dataclass(frozen=True)
class AgentRecord:
    """An agent telephony dials as the A side: ``phone`` E.164 ("" when unknown), ``user_id`` the subject of the
    agent's JWT (how a calling agent is recognised), ``revision`` of assign's snapshot, ``deleted`` a tombstone."""

    agent_id: str
    user_id: str
    phone: str
    revision: int
    deleted: bool = False

    def supersedes(self, current: AgentRecord | None) -> bool:
        """Whether this version replaces ``current`` (a higher revision; a deletion wins a tie)."""
        if current is None:
            return True
        return self.revision > current.revision or (
            self.revision == current.revision and self.deleted and not current.deleted
        )


@cache
def time_zone_of_phone(e164: str) -> str:
    """The IANA time zone of a phone number: Asia/Shanghai for every Chinese number (China has one zone), else
    phonenumbers' time-zone data when it names exactly one zone, else "" (the tenant's default applies)."""
    if not e164:
        return ""
    if e164.startswith("+86"):
        return CHINA_TIME_ZONE
    try:
        parsed = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return ""
    zones = [
        z for z in phone_timezones.time_zones_for_number(parsed) if z != phone_timezones.UNKNOWN_TIMEZONE
    ]
    return zones[0] if len(zones) == 1 else ""
