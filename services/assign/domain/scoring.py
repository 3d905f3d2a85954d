"""A lead's score (0–100) from what lead.accepted says about it, and its grade A–D by the policy's thresholds. Pure.

The model is points-based lead scoring as CRMs ship it: each criterion the lead meets adds fixed points, the sum is
the score, and bands of the score are the grade (HubSpot's lead scoring tool sums points per matching property
criterion into a fit and an engagement score, knowledge.hubspot.com/scoring/understand-the-lead-scoring-tool;
Salesforce Account Engagement turns profile fit into letter grades). Here the two halves are:

- intent (engagement), up to 65: how the person reached out. An inbound call is the strongest signal (the person
  dialled), a conversation (private message, WeChat, customer-service chat) the next, a form fill less, a lead
  pushed by a third party or imported in bulk least.
- contactability (fit), up to 35: whether an agent can act on it now. A callable phone number, a known phone region
  (the lead can be routed and dialled from a local number), and a returning person (asked before, asks again).

Points (each row adds to the score; the maxima sum to exactly 100):

============================  ==========================================================================  =====
criterion                     value → points                                                              max
============================  ==========================================================================  =====
channel                       INBOUND_CALL 40, PRIVATE_MESSAGE 30, WECHAT 30, FORM 25, THIRD_PARTY 15,    40
                              IMPORT 10
traffic source                ORGANIC 10 (sought us out unpaid), AD_DIRECT 8, AD_INDIRECT 5               10
business source               CUSTOMER_SERVICE_CHAT 15, PRIVATE_MESSAGE 15, LANDING_PAGE 10,              15
                              OFFICIAL_ACCOUNT 10, LEAD_FORM 5, INSTANT_FORM 5 (one-tap prefilled forms)
phone                         a phone number 20, only a number taken from the WeChat id 10                20
phone region                  known 5                                                                     5
returning person              verdict RETURNING (or DUPLICATE) 10                                         10
============================  ==========================================================================  =====

Unset or OTHER values add nothing. With the default thresholds (A ≥ 75, B ≥ 55, C ≥ 35, D below):

- an inbound call from an ad's landing page, with phone and region: 40 + 8 + 10 + 20 + 5 = 83, A;
- a landing-page form from an ad, with phone and region: 25 + 8 + 10 + 20 + 5 = 68, B (an instant form: 63, B);
- a WeChat official-account lead from an ad, without a phone: 30 + 8 + 10 = 48, C;
- a bulk import with phone and region: 10 + 20 + 5 = 35, C; without a known region: 30, D.

An account tunes the bands (``ScoreThresholds``), not the points, so that scores stay comparable across accounts.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.assign.domain.enums import BusinessSource, Channel, ScoreGrade, TrafficSource, Verdict
from services.assign.domain.leads import LeadFacts

MAX_SCORE = 100

CHANNEL_POINTS: dict[Channel, int] = {
    Channel.INBOUND_CALL: 40,
    Channel.PRIVATE_MESSAGE: 30,
    Channel.WECHAT: 30,
    Channel.FORM: 25,
    Channel.THIRD_PARTY: 15,
    Channel.IMPORT: 10,
}
TRAFFIC_SOURCE_POINTS: dict[TrafficSource, int] = {
    TrafficSource.ORGANIC: 10,
    TrafficSource.AD_DIRECT: 8,
    TrafficSource.AD_INDIRECT: 5,
}
BUSINESS_SOURCE_POINTS: dict[BusinessSource, int] = {
    BusinessSource.CUSTOMER_SERVICE_CHAT: 15,
    BusinessSource.PRIVATE_MESSAGE: 15,
    BusinessSource.LANDING_PAGE: 10,
    BusinessSource.OFFICIAL_ACCOUNT: 10,
    BusinessSource.LEAD_FORM: 5,
    BusinessSource.INSTANT_FORM: 5,
}
PHONE_POINTS = 20
PHONE_FROM_WECHAT_POINTS = 10
REGION_POINTS = 5
RETURNING_POINTS = 10


@dataclass(frozen=True)
class ScoreThresholds:
    """The lowest score of grades A, B and C (D is everything below C): 100 >= a > b > c > 0."""

    min_score_a: int = 75
    min_score_b: int = 55
    min_score_c: int = 35


DEFAULT_THRESHOLDS = ScoreThresholds()


def score(lead: LeadFacts) -> int:
    """The lead's score, 0 to 100, by the table in this module's docstring."""
    points = CHANNEL_POINTS.get(lead.channel, 0)
    points += TRAFFIC_SOURCE_POINTS.get(lead.traffic_source, 0)
    points += BUSINESS_SOURCE_POINTS.get(lead.business_source, 0)
    if lead.has_phone:
        points += PHONE_FROM_WECHAT_POINTS if lead.phone_from_wechat else PHONE_POINTS
    if lead.phone_region is not None and lead.phone_region.province:
        points += REGION_POINTS
    if lead.verdict in (Verdict.RETURNING, Verdict.DUPLICATE):
        points += RETURNING_POINTS
    return min(points, MAX_SCORE)


def grade(value: int, thresholds: ScoreThresholds = DEFAULT_THRESHOLDS) -> ScoreGrade:
    if value >= thresholds.min_score_a:
        return ScoreGrade.A
    if value >= thresholds.min_score_b:
        return ScoreGrade.B
    if value >= thresholds.min_score_c:
        return ScoreGrade.C
    return ScoreGrade.D


def below(lead_grade: ScoreGrade, minimum: ScoreGrade) -> bool:
    """Whether ``lead_grade`` is worse than ``minimum``; an unset minimum gates nothing."""
    return minimum != ScoreGrade.UNSPECIFIED and lead_grade > minimum
