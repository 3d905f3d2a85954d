"""Two shortcuts ``check_number`` takes, held to the library they stand in for:

- it reads validity from ``phonenumbers.number_type`` (UNKNOWN exactly when ``is_valid_number`` is False) instead of
  asking both: checked over valid and invalid numbers of every region, the non-geographic entities and every Chinese
  11-digit prefix;
- it reads a plainly written mainland mobile without ``phonenumbers.parse`` (``plain_cn_mobile``): the same number
  as parse gives for every 4-digit prefix 1300-1999, with and without "+86", and the same answers from
  ``check_number``.
"""

from __future__ import annotations

from collections.abc import Iterator

import phonenumbers
import pytest
from phonenumbers import PhoneNumber, PhoneNumberType

from services.ingest.domain.normalisation import phone_numbers
from services.ingest.domain.normalisation.phone_numbers import PhoneKind, check_number, plain_cn_mobile


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


PLAIN_TAILS = ("0000000", "0013800", "5551234", "9999999")


def _plain_texts() -> Iterator[str]:
    for prefix in range(1300, 2000):
        for tail in PLAIN_TAILS:
            yield f"{prefix}{tail}"
            yield f"+86{prefix}{tail}"


def test_a_plainly_written_mobile_is_read_as_parse_reads_it() -> None:
    texts = list(_plain_texts())
    for text in texts:
        assert plain_cn_mobile(text, "CN") == phonenumbers.parse(text, "CN"), text
        if text.startswith("+86"):  # the country code is written: any default region reads it the same
            assert plain_cn_mobile(text, "US") == phonenumbers.parse(text, "US"), text
    assert len(texts) == 700 * len(PLAIN_TAILS) * 2


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("13800138000", "US"),  # no country code, and the default region is not China
        ("+86 13800138000", "CN"),  # spaced: parse reads it
        ("013800138000", "CN"),  # trunk 0
        ("8613800138000", "CN"),
        ("12800138000", "CN"),  # 12x: not a mobile prefix
        ("1380013800", "CN"),  # 10 digits
        ("138001380001", "CN"),  # 12 digits
        ("１３８００１３８０００", "CN"),  # full-width digits
        ("+8513800138000", "CN"),
    ],
)
def test_anything_else_is_left_to_parse(text: str, region: str) -> None:
    assert plain_cn_mobile(text, region) is None


def test_check_number_answers_the_same_with_and_without_the_plain_reading(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    texts = [t for i, t in enumerate(_plain_texts()) if i % 3 == 0]
    read_plainly = [check_number(t, default_region="CN", field="phone") for t in texts]
    monkeypatch.setattr(phone_numbers, "plain_cn_mobile", lambda text, region: None)
    assert [check_number(t, default_region="CN", field="phone") for t in texts] == read_plainly
    assert any(c.rejection is None for c in read_plainly) and any(c.rejection for c in read_plainly)
