"""One raw piece of evidence about how a call ended, exactly as a carrier reported it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from services.telephony.domain.outcomes import EvidenceSource

# The field names of the standard code sets (providers' own fields keep the provider's spelling).
SIP_FIELD = "sip_status"
Q850_FIELD = "q850_cause"
ANNOUNCEMENT_FIELD = "announcement"
SIP_PROVIDER = "sip"
Q850_PROVIDER = "q850"


@dataclass(frozen=True, slots=True)
class Evidence:
    """A code or text from a carrier.

    ``provider`` is who reported it ("aliyun", "huawei", "tencent_cloud", "freeswitch", "simulated"); ``field`` is
    the provider's own field name ("release_cause", "stateCode", "callEndStatusDetail", "hangup_cause") or one of
    ``sip_status`` / ``q850_cause`` / ``announcement``; ``code`` is the raw value as text ("17", "USER_BUSY");
    ``text`` the announcement transcript or the provider's description (never a phone number); ``event_time``
    when the carrier says it happened (UTC), None when it did not say.
    """

    source: EvidenceSource
    provider: str
    field: str
    code: str
    text: str = ""
    event_time: datetime | None = None

    def __post_init__(self) -> None:
        if self.event_time is not None:
            if self.event_time.tzinfo is None:
                raise ValueError("evidence event_time must be timezone-aware")
            object.__setattr__(self, "event_time", self.event_time.astimezone(UTC))

    def sort_key(self) -> tuple[datetime, int, str, str, str, str]:
        """A total order that depends only on the evidence itself, never on when it arrived."""
        moment = self.event_time or datetime.min.replace(tzinfo=UTC)
        return (moment, int(self.source), self.provider, self.field, self.code, self.text)


def sip_status(code: int, event_time: datetime | None = None) -> Evidence:
    """The SIP final response code of the call's INVITE (RFC 3261 section 21)."""
    return Evidence(EvidenceSource.SIP, SIP_PROVIDER, SIP_FIELD, str(code), event_time=event_time)


def q850_cause(cause: int, event_time: datetime | None = None) -> Evidence:
    """The Q.850 cause carried in the Reason header of the final response or BYE (RFC 3326 section 2)."""
    return Evidence(EvidenceSource.Q850, Q850_PROVIDER, Q850_FIELD, str(cause), event_time=event_time)


def announcement(provider: str, text: str, event_time: datetime | None = None) -> Evidence:
    """The early-media announcement played before answer ("您拨打的号码是空号"), as transcribed by the carrier."""
    return Evidence(
        EvidenceSource.ANNOUNCEMENT, provider, ANNOUNCEMENT_FIELD, "", text=text, event_time=event_time
    )


def provider_code(provider: str, field: str, code: str | int, event_time: datetime | None = None) -> Evidence:
    """A provider's own status code under its own field name (Aliyun ``release_cause`` 17)."""
    return Evidence(EvidenceSource.CARRIER_STATUS, provider, field, str(code), event_time=event_time)
