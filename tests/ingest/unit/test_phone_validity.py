"""``check_number`` reads validity from ``phonenumbers.number_type`` (UNKNOWN exactly when ``is_valid_number`` is
False) instead of asking both: this holds the installed phonenumbers to that, over valid and invalid numbers of every
region, the non-geographic entities and every Chinese 11-digit prefix."""

from __future__ import annotations

from collections.abc import Iterator

import phonenumbers
from phonenumbers import PhoneNumber, PhoneNumberType

from services.ingest.domain.normalisation.phone_numbers import PhoneKind, check_number


def _examples() -> Iterator[PhoneNumber]:
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in PhoneNumberType.values():
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                yield example
    for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        example = phonenumbers.example_number_for_non_geo_entity(code)
        if example is not None:
            yield example


def _variants(number: PhoneNumber) -> Iterator[PhoneNumber]:
    """The number, one digit shorter, one longer, and with its first digit changed: mostly invalid ones."""
    national = str(number.national_number)
    for digits in (national, national[:-1], national + "5", str((int(national[0]) + 3) % 10) + national[1:]):
        if digits and digits[0] != "0":
            yield PhoneNumber(country_code=number.country_code, national_number=int(digits))
    yield PhoneNumber(country_code=999, national_number=number.national_number)  # no such country code


def _chinese_prefixes() -> Iterator[PhoneNumber]:
    for prefix in range(100, 200):
        for tail in ("00138000", "12345678", "99999999"):
            yield PhoneNumber(country_code=86, national_number=int(f"{prefix}{tail}"))


def test_number_type_is_unknown_exactly_when_is_valid_number_is_false() -> None:
    numbers = [v for e in _examples() for v in _variants(e)] + list(_chinese_prefixes())
    disagree = [
        phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164)
        for n in numbers
        if (phonenumbers.number_type(n) != PhoneNumberType.UNKNOWN) != phonenumbers.is_valid_number(n)
    ]
    assert disagree == []
    valid = sum(1 for n in numbers if phonenumbers.is_valid_number(n))
    assert valid > 1000 and len(numbers) - valid > 1000  # both sides of the question were asked


def test_check_number_keeps_is_valid_numbers_verdicts() -> None:
    """Every example number of a kind is judged valid with that kind's class, and a broken one is refused, exactly
    as ``is_valid_number`` and ``number_type`` say."""
    for number in _examples():
        for variant in _variants(number):
            if variant.country_code == 86:
                continue  # the allocated-prefix overlay may add validity in China (tests of mobile_prefixes)
            text = phonenumbers.format_number(variant, phonenumbers.PhoneNumberFormat.E164)
            checked = check_number(text, default_region="CN", field="phone")
            try:
                # As check_number reads it (NF, for one, rewrites the number).
                parsed = phonenumbers.parse(text)
            except phonenumbers.NumberParseException:
                assert checked.rejection is not None, text
                continue
            assert (checked.rejection is None) == phonenumbers.is_valid_number(parsed), text
            if checked.rejection is None and phonenumbers.number_type(parsed) == PhoneNumberType.MOBILE:
                assert checked.kind is PhoneKind.MOBILE, text
