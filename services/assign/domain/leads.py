"""What assign knows of a lead: the routing facts of lead.accepted / lead.duplicate, and regions. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from services.assign.domain.enums import BusinessSource, Channel, ScoreGrade, TrafficSource, Verdict


@dataclass(frozen=True)
class Region:
    """A province and optionally a city, in Chinese as the phonenumbers geocoder gives them (归属地)."""

    province: str
    city: str = ""

    def covers(self, other: Region | None) -> bool:
        """Whether ``other`` lies in this region: same province, and same city unless this region has none."""
        if other is None or not other.province:
            return False
        return self.province == other.province and (not self.city or self.city == other.city)


def any_covers(regions: tuple[Region, ...], region: Region | None) -> bool:
    """An empty tuple covers everything (including an unknown region); otherwise one entry must cover it."""
    return not regions or any(entry.covers(region) for entry in regions)


@dataclass(frozen=True)
class LeadFacts:
    """The routing facts of a lead, from lead.accepted (or lead.duplicate for a known lead).

    ``phone_region`` is None when unknown. ``verdict`` is NEW, RETURNING or DUPLICATE; ``has_phone`` says whether
    the lead has a phone number at all (the number itself is not needed to route). The familiar agent (who had the
    person before) is looked up by the caller from ``returning_of_lead_id`` or, for a duplicate, ``lead_id``.
    """

    lead_id: str
    account_id: str
    channel: Channel = Channel.UNSPECIFIED
    traffic_source: TrafficSource = TrafficSource.UNSPECIFIED
    business_source: BusinessSource = BusinessSource.UNSPECIFIED
    campaign_id: str = ""
    phone_region: Region | None = None
    has_phone: bool = True
    phone_from_wechat: bool = False
    verdict: Verdict = Verdict.NEW
    returning_of_lead_id: str = ""


@dataclass(frozen=True)
class LeadSummary:
    """The copy of a lead's facts kept on its assignments and pool entry, for filtering and display."""

    lead_id: str
    account_id: str
    score: int = 0
    grade: ScoreGrade = ScoreGrade.UNSPECIFIED
    channel: Channel = Channel.UNSPECIFIED
    phone_region: Region | None = None
