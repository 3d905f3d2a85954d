"""Scoring: the documented points table, its examples, and the policy's grade thresholds."""

from __future__ import annotations

import pytest

from services.assign.domain.enums import BusinessSource, Channel, ScoreGrade, TrafficSource, Verdict
from services.assign.domain.leads import Region
from services.assign.domain.scoring import MAX_SCORE, ScoreThresholds, below, grade, score
from tests.assign.unit.builders import lead


@pytest.mark.parametrize(
    ("facts", "points", "expected_grade"),
    [
        (lead(channel=Channel.INBOUND_CALL), 83, ScoreGrade.A),
        (lead(), 68, ScoreGrade.B),
        (lead(business_source=BusinessSource.INSTANT_FORM), 63, ScoreGrade.B),
        (
            lead(
                channel=Channel.WECHAT,
                business_source=BusinessSource.OFFICIAL_ACCOUNT,
                has_phone=False,
                phone_region=None,
            ),
            48,
            ScoreGrade.C,
        ),
        (
            lead(
                channel=Channel.IMPORT,
                traffic_source=TrafficSource.UNSPECIFIED,
                business_source=BusinessSource.OTHER,
            ),
            35,
            ScoreGrade.C,
        ),
        (
            lead(
                channel=Channel.IMPORT,
                traffic_source=TrafficSource.UNSPECIFIED,
                business_source=BusinessSource.OTHER,
                phone_region=None,
            ),
            30,
            ScoreGrade.D,
        ),
    ],
)
def test_documented_examples(facts: object, points: int, expected_grade: ScoreGrade) -> None:
    assert score(facts) == points  # type: ignore[arg-type]
    assert grade(points) == expected_grade


def test_each_criterion_adds_its_points() -> None:
    base = lead()
    assert score(lead(traffic_source=TrafficSource.ORGANIC)) - score(base) == 2
    assert score(lead(phone_from_wechat=True)) - score(base) == -10
    assert score(lead(has_phone=False)) - score(base) == -20
    assert score(lead(phone_region=Region(""))) - score(base) == -5
    assert score(lead(verdict=Verdict.RETURNING)) - score(base) == 10
    assert score(lead(verdict=Verdict.DUPLICATE)) - score(base) == 10


def test_the_best_lead_scores_exactly_the_maximum() -> None:
    best = lead(
        channel=Channel.INBOUND_CALL,
        traffic_source=TrafficSource.ORGANIC,
        business_source=BusinessSource.CUSTOMER_SERVICE_CHAT,
        verdict=Verdict.RETURNING,
    )
    assert score(best) == MAX_SCORE


def test_nothing_known_scores_zero() -> None:
    unknown = lead(
        channel=Channel.UNSPECIFIED,
        traffic_source=TrafficSource.UNSPECIFIED,
        business_source=BusinessSource.UNSPECIFIED,
        has_phone=False,
        phone_region=None,
    )
    assert score(unknown) == 0
    assert grade(0) == ScoreGrade.D


def test_policy_thresholds_move_the_bands() -> None:
    strict = ScoreThresholds(90, 70, 50)
    assert grade(83, strict) == ScoreGrade.B
    assert grade(90, strict) == ScoreGrade.A
    assert grade(49, strict) == ScoreGrade.D


def test_below_a_minimum_grade() -> None:
    assert below(ScoreGrade.C, ScoreGrade.B)
    assert not below(ScoreGrade.B, ScoreGrade.B)
    assert not below(ScoreGrade.A, ScoreGrade.B)
    assert not below(ScoreGrade.D, ScoreGrade.UNSPECIFIED)
