"""Issue 12 item 5: the overlay of allocated Chinese mobile prefixes, consulted before phonenumbers' verdict.

One test per prefix of ``cn_mobile_prefixes.csv``: a number of that prefix is a valid mobile with a carrier; plus
the prefixes the table must not make valid.
"""

from __future__ import annotations

from pathlib import Path

import phonenumbers
import pytest

from services.ingest.domain.normalisation import (
    AllocatedPrefix,
    PhoneKind,
    RawContact,
    RejectionCode,
    ScreeningRules,
    allocated_cn_mobile,
    allocated_prefixes,
    normalise_phone,
    screen_contact,
)

ROWS = allocated_prefixes()
OPERATORS = {
    "中国移动",
    "中国联通",
    "中国电信",
    "中国广电",
    "工业和信息化部应急通信保障中心",
    "北京船舶通信导航有限公司",
}


def _sample(prefix: str) -> str:
    return (prefix + "12345678901")[:11]


def test_the_table_names_its_source_and_date() -> None:
    import services.ingest.domain.normalisation.mobile_prefixes as module

    header = Path(module.__file__).with_name("cn_mobile_prefixes.csv").read_text(encoding="utf-8")
    assert "Sources:" in header and "MIIT" in header and "Compiled: 20" in header


def test_the_table_is_well_formed() -> None:
    assert len(ROWS) > 80
    prefixes = [row.prefix for row in ROWS]
    assert len(prefixes) == len(set(prefixes))
    assert {row.operator for row in ROWS} <= OPERATORS
    assert {row.service for row in ROWS} <= {"mobile", "mvno", "data", "satellite", "emergency"}
    # Every 3-digit mobile segment 13x-19x is either listed or known to be unallocated.
    unallocated = {
        "140",
        "141",
        "142",
        "143",
        "144",
        "146",
        "148",
        "154",
        "160",
        "161",
        "163",
        "164",
        "168",
        "169",
    }
    unallocated |= {"179", "194"}
    for segment in range(130, 200):
        listed = any(p.startswith(str(segment)) or str(segment).startswith(p) for p in prefixes)
        assert listed != (str(segment) in unallocated), segment


@pytest.mark.parametrize("row", ROWS, ids=[row.prefix for row in ROWS])
def test_every_allocated_prefix_is_a_valid_mobile(row: AllocatedPrefix) -> None:
    number = _sample(row.prefix)
    check = normalise_phone(number)
    assert check.ok, check.rejection
    assert check.e164 == "+86" + number
    assert check.kind is PhoneKind.MOBILE and check.region_code == "CN"
    assert check.carrier  # the library's carrier, or the operator the table names
    assert allocated_cn_mobile(number) == row


def test_the_issue_example_149_is_accepted_with_its_operator() -> None:
    screening = screen_contact(RawContact(phone="14912345678"), ScreeningRules(allow_landline=False))
    assert screening.rejections == []
    assert screening.contact.phone == "+8614912345678"
    assert screening.contact.carrier == "中国电信"


def test_the_overlay_adds_what_the_library_lags_behind() -> None:
    lagging = [
        row.prefix
        for row in ROWS
        if not phonenumbers.is_valid_number(phonenumbers.parse(_sample(row.prefix), "CN"))
    ]
    # The table is only useful while the library lags; when phonenumbers learns these ranges this list shrinks,
    # and the per-prefix test above still holds.
    for prefix in lagging:
        assert normalise_phone(_sample(prefix)).ok


def test_longest_prefix_wins() -> None:
    row_1349 = allocated_cn_mobile("13491234567")
    row_134 = allocated_cn_mobile("13401234567")
    assert row_1349 is not None and row_1349.operator == "中国电信"
    assert row_134 is not None and row_134.operator == "中国移动"


@pytest.mark.parametrize(
    "number",
    ["14012345678", "14112345678", "15412345678", "16012345678", "16912345678", "17912345678", "19412345678"],
)
def test_unallocated_prefixes_stay_rejected(number: str) -> None:
    check = normalise_phone(number)
    assert check.rejection is not None
    assert (check.rejection.code, check.rejection.rule) == (RejectionCode.PHONE_INVALID, "phone.unallocated")
    assert f"start with {number[:3]}" in check.rejection.message


@pytest.mark.parametrize("number", ["1491234567", "149123456789", "1440123456789", "14612345678901"])
def test_the_overlay_never_makes_a_wrong_length_valid(number: str) -> None:
    assert allocated_cn_mobile(number) is None
    assert not normalise_phone(number).ok


def test_the_overlay_is_only_for_chinese_numbers() -> None:
    assert normalise_phone("+44 149 1234 5678").e164 is None
