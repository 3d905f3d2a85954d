"""Issue 12 items 2, 3 and 4: what spreadsheets and people put into one phone cell, and reasons that describe it.

The table drives ``normalise_phone`` with a cell and checks the lead's number, its extension and the alternate
numbers; or the rejection rule and a phrase its message must contain (what was wrong with what was sent).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from services.ingest.domain.normalisation import (
    PhoneKind,
    RawContact,
    RejectionCode,
    ScreeningRules,
    normalise_phone,
    screen_contact,
)

M1, M2, M3 = "+8613800138000", "+8613900139000", "+8613512345678"
SZ = "+8675512345678"
BJ = "+861012345678"


@dataclass(frozen=True)
class Cell:
    raw: str
    phone: str
    extension: str = ""
    alternates: tuple[str, ...] = ()


ACCEPTED: dict[str, Cell] = {
    # --- item 2: spreadsheet artefacts ----------------------------------------------------------------------------
    "float column": Cell("13800138000.0", M1),
    "float column, two zeros": Cell("13800138000.00", M1),
    "float column with 86": Cell("8613800138000.0", M1),
    "float column with +86": Cell("+8613800138000.0", M1),
    "Excel text formula": Cell('="13800138000"', M1),
    "Excel text formula with +86": Cell('="+86 138 0013 8000"', M1),
    "formula without quotes": Cell("=13800138000", M1),
    "leading apostrophe": Cell("'13800138000", M1),
    "quoted": Cell('"13800138000"', M1),
    "curly quotes": Cell("\u201c13800138000\u201d", M1),
    "thousands separators": Cell("13,800,138,000", M1),
    "scientific notation with every digit": Cell("1.3800138000E+10", M1),
    "scientific notation, lower case e": Cell("1.3800138000e10", M1),
    "full-width digits": Cell("１３８００１３８０００", M1),
    "full-width plus 86": Cell("＋８６ １３８ ００１３ ８０００", M1),
    "86 prefix": Cell("8613800138000", M1),
    "0086 prefix": Cell("0086-138-0013-8000", M1),
    "parenthesised +86": Cell("(+86)13800138000", M1),
    "parenthesised 86": Cell("(86)13800138000", M1),
    "landline lost its trunk zero in a number column": Cell("75512345678", SZ),
    "tab and newline around": Cell("\t13800138000\n", M1),
    # --- item 3: extensions -------------------------------------------------------------------------------------
    "privacy number with dash extension": Cell("13512345678-9100", M3, "9100"),
    "privacy number with 转": Cell("13512345678转9100", M3, "9100"),
    "privacy number with pause comma": Cell("13512345678,9100", M3, "9100"),
    "privacy number, full-width dash": Cell("13512345678－9100", M3, "9100"),
    "landline 转": Cell("0755-12345678转8001", SZ, "8001"),
    "landline 转 with spaces": Cell("0755-12345678 转 8001", SZ, "8001"),
    "landline 分机": Cell("0755 12345678 分机 8001", SZ, "8001"),
    "landline 分机号": Cell("0755-12345678分机号:8001", SZ, "8001"),
    "landline 转分机": Cell("0755-12345678转分机8001", SZ, "8001"),
    "landline dash extension": Cell("0755-12345678-8001", SZ, "8001"),
    "landline ext.": Cell("0755-12345678 ext. 8001", SZ, "8001"),
    "landline EXT": Cell("0755-12345678 EXT 8001", SZ, "8001"),
    "landline x": Cell("0755-12345678 x8001", SZ, "8001"),
    "landline #": Cell("0755-12345678#8001", SZ, "8001"),
    "landline RFC 3966": Cell("tel:+86-755-1234-5678;ext=8001", SZ, "8001"),
    "landline comma": Cell("010-12345678,8001", BJ, "8001"),
    "mobile ext": Cell("13800138000 ext 12", M1, "12"),
    "marker with nothing after": Cell("0755-12345678转", SZ),
    "trailing hash": Cell("138-0013-8000#", M1),
    # --- item 3: several numbers ----------------------------------------------------------------------------------
    "slash": Cell("13800138000 / 13900139000", M1, alternates=(M2,)),
    "slash without spaces": Cell("13800138000/13900139000", M1, alternates=(M2,)),
    "comma": Cell("13800138000,13900139000", M1, alternates=(M2,)),
    "full-width comma": Cell("13800138000，13900139000", M1, alternates=(M2,)),
    "semicolon": Cell("13800138000;13900139000", M1, alternates=(M2,)),
    "ideographic comma": Cell("13800138000、13900139000", M1, alternates=(M2,)),
    "space": Cell("13800138000 13900139000", M1, alternates=(M2,)),
    "newline": Cell("13800138000\n13900139000", M1, alternates=(M2,)),
    "spaced groups": Cell("138 0013 8000 139 0013 9000", M1, alternates=(M2,)),
    "或": Cell("13800138000 或 13900139000", M1, alternates=(M2,)),
    "or": Cell("13800138000 or 13900139000", M1, alternates=(M2,)),
    "three numbers": Cell("13800138000/13900139000/13512345678", M1, alternates=(M2, M3)),
    "mobile and landline with labels": Cell("手机:13800138000 电话:0755-12345678", M1, alternates=(SZ,)),
    "landline with extension then mobile": Cell("0755-12345678转8001 / 13800138000", SZ, "8001", (M1,)),
    "7+ digits after a marker are a number": Cell("0755-12345678转13900139000", SZ, alternates=(M2,)),
    "same number twice": Cell("13800138000 / 138-0013-8000", M1),
    "first invalid, second valid": Cell("1380013800 / 13900139000", M2),
    "a fragment after a slash is dropped": Cell("13800138000 / 123", M1),
    # --- annotations that are not part of the number --------------------------------------------------------------
    "annotation in brackets": Cell("13800138000（本人）", M1),
    "annotation in ASCII brackets": Cell("13800138000 (手机)", M1),
    "微信同号 after the number": Cell("13800138000 微信同号", M1),
    "name after the number": Cell("13800138000张先生", M1),
    "label tel:": Cell("tel:+86-138-0013-8000", M1),
    "label 联系电话": Cell("联系电话：13800138000", M1),
    "number in 【】": Cell("【13800138000】", M1),
    # --- one number, whatever the separators (never split when the whole is valid) -------------------------------
    "slash inside one landline": Cell("0755/12345678", SZ),
    "spaces inside one number": Cell("1 3 8 0 0 1 3 8 0 0 0", M1),
    "IP-dialling prefix": Cell("17951 13800138000", M1),
}


@pytest.mark.parametrize("cell", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_cells_that_hold_usable_numbers(cell: Cell) -> None:
    check = normalise_phone(cell.raw)
    assert check.rejection is None, check.rejection
    assert (check.e164, check.extension, check.alternates) == (cell.phone, cell.extension, cell.alternates)


@dataclass(frozen=True)
class Refused:
    raw: str
    rule: str
    says: str  # a phrase the message must contain: what was wrong with what was sent


REFUSED: dict[str, Refused] = {
    "scientific notation lost digits": Refused("1.38001E+10", "phone.scientific_notation", "digits are lost"),
    "scientific notation, short mantissa": Refused(
        "1.38E+10", "phone.scientific_notation", "scientific notation"
    ),
    "scientific notation with 86": Refused("8.613800138E+12", "phone.scientific_notation", "digits are lost"),
    "masked with stars": Refused("138****8000", "phone.masked", "masked"),
    "masked with x": Refused("138xxxx8000", "phone.masked", "masked"),
    "extension too long": Refused("0755-12345678转80012345", "phone.extension_unreadable", "1 to 6 digits"),
    "10-digit mobile": Refused("1380013800", "phone.too_short", "this one has 10"),
    "12-digit mobile": Refused("138001380001", "phone.too_long", "this one has 12"),
    "unallocated 140": Refused("14012345678", "phone.unallocated", "start with 140"),
    "unallocated 154": Refused("15412345678", "phone.unallocated", "start with 154"),
    "two 10-digit numbers": Refused("1380013800 / 1390013900", "phone.too_short", "None of the 2 numbers"),
    "Chinese text inside the digits": Refused("138张0013 8000", "phone.not_a_number", "Chinese text between"),
    "letters inside": Refused("138ABC13800", "phone.not_a_number", "letters"),
    "symbols": Refused("138@0013!8000", "phone.not_a_number", "symbols"),
    "no digits": Refused("电话号码", "phone.not_a_number", "no digits"),
    "unknown country code": Refused("+999 1234567", "phone.invalid_country_code", "country calling code"),
    "Shenzhen 7 digits": Refused("0755-1234567", "phone.unallocated", "10 digits"),
    "local number": Refused("12345678", "phone.too_short", "without its area code"),
}


@pytest.mark.parametrize("case", REFUSED.values(), ids=REFUSED.keys())
def test_refused_cells_say_what_was_wrong_with_them(case: Refused) -> None:
    check = normalise_phone(case.raw)
    assert check.e164 is None and check.rejection is not None
    assert check.rejection.code is RejectionCode.PHONE_INVALID
    assert (check.rejection.rule, case.says in check.rejection.message) == (case.rule, True), check.rejection
    digits = re.sub(r"\D", "", case.raw)
    assert len(digits) < 7 or digits not in re.sub(r"\D", "", check.rejection.message)


@pytest.mark.parametrize(
    "raw",
    [
        "13512345678-9100",
        "0755-12345678转8001",
        "13800138000 / 13900139000",
        "13800138000 13900139000",
        "13800138000.0",
        '="13800138000"',
        "13800138000，13900139000",
    ],
)
def test_the_issue_examples_never_get_a_length_reason_that_did_not_apply(raw: str) -> None:
    # Issue 12 item 3: these were rejected with phone.too_long, "A Chinese mobile number has 11 digits; this one
    # has not", which is false for every one of them.
    check = normalise_phone(raw)
    assert check.ok and check.kind in (PhoneKind.MOBILE, PhoneKind.LANDLINE)


def test_extension_policy_refuses_numbers_with_an_extension_but_keeps_them_for_the_audit() -> None:
    check = normalise_phone("13512345678-9100", allow_extension=False)
    assert check.e164 == M3 and check.extension == "9100"
    assert check.rejection is not None
    assert (check.rejection.code, check.rejection.rule) == (
        RejectionCode.PHONE_INVALID,
        "phone.extension_not_accepted",
    )


def test_extension_policy_prefers_a_number_that_can_be_dialled_directly() -> None:
    check = normalise_phone("0755-12345678转8001 / 13800138000", allow_extension=False)
    assert check.ok and check.e164 == M1 and check.extension == ""


def test_alternates_can_be_dropped() -> None:
    check = normalise_phone("13800138000 / 13900139000", keep_alternates=False)
    assert check.ok and check.e164 == M1 and check.alternates == ()


def test_mobile_only_takes_the_first_mobile_of_the_cell() -> None:
    check = normalise_phone("0755-12345678 / 13800138000 / 13900139000", allow_landline=False)
    assert check.ok and check.e164 == M1 and check.alternates == (M2,)


def test_mobile_only_with_only_a_landline_keeps_the_landline_for_the_audit() -> None:
    check = normalise_phone("0755-12345678 / 12345", allow_landline=False)
    assert check.e164 == SZ and check.rejection is not None
    assert check.rejection.code is RejectionCode.PHONE_LANDLINE_NOT_ALLOWED


def test_screen_contact_carries_extension_and_alternates() -> None:
    screening = screen_contact(RawContact(phone="13512345678-9100 / 13900139000"), ScreeningRules())
    assert screening.rejections == [] and screening.violations == []
    contact = screening.contact
    assert (contact.phone, contact.phone_extension, contact.alternate_phones) == (M3, "9100", (M2,))


def test_screen_contact_policies() -> None:
    rules = ScreeningRules(allow_extension=False, keep_alternate_phones=False)
    screening = screen_contact(RawContact(phone="13800138000 / 13900139000"), rules)
    assert screening.contact.alternate_phones == () and screening.contact.phone == M1
    screening = screen_contact(RawContact(phone="13512345678-9100"), rules)
    assert [(r.code, r.rule) for r in screening.rejections] == [
        (RejectionCode.PHONE_INVALID, "phone.extension_not_accepted")
    ]
    assert screening.contact.phone == M3  # kept for the audit, like a refused landline


def test_a_blocklisted_alternate_rejects_the_lead() -> None:
    rules = ScreeningRules(blocked_phones=frozenset({M2}))
    screening = screen_contact(RawContact(phone="13800138000 / 13900139000"), rules)
    assert [(r.code, r.field, r.rule) for r in screening.rejections] == [
        (RejectionCode.BLOCKLISTED_PHONE, "phone", "blocklist:139****9000")
    ]


def test_a_dead_alternate_does_not_reject_the_lead() -> None:
    screening = screen_contact(
        RawContact(phone="13800138000 / 13900139000"), ScreeningRules(dead_numbers=frozenset({M2}))
    )
    assert screening.rejections == []


def test_three_numbers_fit_the_field_limit() -> None:
    screening = screen_contact(
        RawContact(phone="13800138000 / 13900139000 / 13512345678 / 0755-12345678转8001"), ScreeningRules()
    )
    assert screening.violations == [] and screening.contact.alternate_phones == (M2, M3, SZ)
