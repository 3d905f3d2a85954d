"""Providers' wall-clock texts become UTC instants; the same instant in UTC or Beijing time is equal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.telephony.domain.provider_times import BEIJING, aliyun_times, parse_local


def test_beijing_and_utc_texts_of_one_instant_are_equal():
    aliyun = parse_local("2019-01-24 10:30:22", BEIJING)  # Aliyun writes Beijing time
    huawei = parse_local("2019-01-24 02:30:22", UTC)  # Huawei's bills are in UTC
    assert aliyun == huawei == datetime(2019, 1, 24, 2, 30, 22, tzinfo=UTC)
    assert aliyun.tzinfo is UTC


def test_empty_is_none_and_other_formats_are_refused():
    assert parse_local("  ", BEIJING) is None
    with pytest.raises(ValueError):
        parse_local("2019-01-24T02:30:22Z", UTC)


def test_aliyun_report_without_times_states_nothing_about_answering():
    times = aliyun_times(
        call_time="", call_out_time="", ring_time="", free_ring_time="", start_time="", release_time=""
    )
    assert times == type(times)(None, None, None, None, answer_stated=False)
