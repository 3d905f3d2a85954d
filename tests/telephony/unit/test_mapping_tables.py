"""One test per row of every mapping table (parametrised from the data files themselves)."""

from __future__ import annotations

import csv
import re

import pytest

from services.telephony.domain import announcements
from services.telephony.domain.classify import classify
from services.telephony.domain.codebook import MAPPINGS_DIR, PROVIDER_FILES, default_codebook, load_codebook
from services.telephony.domain.evidence import announcement, provider_code, q850_cause, sip_status
from services.telephony.domain.outcomes import CallOutcome, EvidenceSource

BOOK = default_codebook()
SOURCE = re.compile(r"https://\S+")


def _rows(stem: str) -> list[dict[str, str]]:
    with (MAPPINGS_DIR / f"{stem}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _expected(outcome_name: str) -> CallOutcome:
    # A code without a verdict leaves an unanswered call that never rang to the fallback: UNKNOWN.
    return CallOutcome[outcome_name] if outcome_name else CallOutcome.UNKNOWN


def _classify_alone(*evidence):
    return classify(answered=False, rang=False, released_by_caller=False, evidence=evidence, codebook=BOOK)


PROVIDER_ROWS = [(stem, row) for stem in PROVIDER_FILES for row in _rows(stem)]


@pytest.mark.parametrize(
    ("provider", "row"), PROVIDER_ROWS, ids=[f"{p}-{r['field']}-{r['code']}" for p, r in PROVIDER_ROWS]
)
def test_provider_code_row(provider, row):
    assert SOURCE.search(row["source"]), "every row cites a documentation page"
    result = _classify_alone(provider_code(provider, row["field"], row["code"]))
    assert result.outcome is _expected(row["outcome"])
    if row["outcome"]:
        assert result.decided_by is EvidenceSource.CARRIER_STATUS
        assert result.evidence.code == row["code"]


SIP_ROWS = _rows("sip")


@pytest.mark.parametrize("row", SIP_ROWS, ids=[r["code"] for r in SIP_ROWS])
def test_bare_sip_status_row(row):
    assert "RFC 3" in row["source"] and SOURCE.search(row["source"])
    assert _classify_alone(sip_status(int(row["code"]))).outcome is _expected(row["outcome"])


Q850_ROWS = _rows("q850")


@pytest.mark.parametrize("row", Q850_ROWS, ids=[r["code"] for r in Q850_ROWS])
def test_q850_cause_row_decides_over_every_sip_status_it_arrives_with(row):
    assert "Q.850" in row["source"] and "RFC 3398" in row["source"]
    cause = int(row["code"])
    assert _classify_alone(q850_cause(cause)).outcome is _expected(row["outcome"])
    for status in (int(s) for s in row["sip_status"].split()):
        result = _classify_alone(sip_status(status), q850_cause(cause))
        if row["outcome"]:
            assert result.outcome is CallOutcome[row["outcome"]]
            assert result.decided_by is EvidenceSource.Q850
        else:  # a cause without a verdict leaves the decision to the bare status
            bare = BOOK.meaning("sip", "sip_status", str(status))
            assert result.outcome is (bare.outcome if bare and bare.outcome else CallOutcome.UNKNOWN)


ANNOUNCEMENT_ROWS = _rows("announcements")


@pytest.mark.parametrize("row", ANNOUNCEMENT_ROWS, ids=[r["keyword"] for r in ANNOUNCEMENT_ROWS])
def test_announcement_rule_row(row):
    assert SOURCE.search(row["source"])
    rule = announcements.match(f"  {row['keyword'].upper()}  ", BOOK)
    assert rule is not None and rule.keyword == row["keyword"].casefold()  # no earlier rule shadows it
    result = _classify_alone(announcement("simulated", f"Sorry, {row['keyword']}."))
    assert result.outcome is CallOutcome[row["outcome"]]


def test_every_ranked_field_has_rows_and_a_source():
    for row in _rows("fields"):
        assert SOURCE.search(row["source"])
        assert any(key[0] == row["provider"] and key[1] == row["field"] for key in BOOK.codes)


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("您拨打的号码是空号，请查证后再拨", CallOutcome.EMPTY_NUMBER),
        ("您拨打的用户已停机", CallOutcome.SUSPENDED),
        ("您拨打的电话已关机", CallOutcome.POWERED_OFF),
        ("您拨打的电话暂时无法接通，请稍后再拨", CallOutcome.UNREACHABLE),
        ("您拨打的电话正在通话中，请稍后再拨", CallOutcome.BUSY),
        ("您拨打的用户不在服务区", CallOutcome.UNREACHABLE),
        ("网络忙，请稍后再拨", CallOutcome.NETWORK_ERROR),
        (
            "Sorry, the number you dialed does not exist, please check it and dial later.",
            CallOutcome.EMPTY_NUMBER,
        ),
        ("The number you dialed is power off.", CallOutcome.POWERED_OFF),
        ("The subscriber you dialed cannot be connected for the moment.", CallOutcome.UNREACHABLE),
        ("The number you dialed is busy now.", CallOutcome.BUSY),
    ],
)
def test_real_announcements(text, outcome):
    assert _classify_alone(announcement("simulated", text)).outcome is outcome


def test_a_row_without_source_is_refused(tmp_path):
    for path in MAPPINGS_DIR.glob("*.csv"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    broken = tmp_path / "huawei.csv"
    broken.write_text(
        broken.read_text(encoding="utf-8") + "stateCode,9999,BUSY,no,made up,\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match="cite its source"):
        load_codebook(tmp_path)


def test_an_unknown_outcome_name_is_refused(tmp_path):
    for path in MAPPINGS_DIR.glob("*.csv"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    broken = tmp_path / "sip.csv"
    broken.write_text(
        broken.read_text(encoding="utf-8") + "sip_status,499,BUSYY,no,x,RFC 3261\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match="unknown call outcome"):
        load_codebook(tmp_path)
