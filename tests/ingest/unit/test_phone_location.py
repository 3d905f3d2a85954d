"""Ingest locates a number from the compact CN table exactly as it did from phonenumbers' geocoder and carrier,
and never loads their data to do it.

``_geocoder_answer`` is the code ``check_number`` ran before the table (geocoder in Chinese, split by
``split_region``; carrier in Chinese; the allocated-prefix overlay's operator when the metadata has no carrier):
this test may import the geocoder, the service must not.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import phonenumbers
import pytest
from phonenumbers import carrier, geocoder

from services.common.phoneregion.descriptions import split_region
from services.common.phoneregion.table import TABLE_PATH
from services.ingest.domain.normalisation.mobile_prefixes import allocated_cn_mobile
from services.ingest.domain.normalisation.phone_numbers import check_number

ROOT = Path(__file__).resolve().parents[3]
Answer = tuple[str | None, str, str, str]  # region code, province, city, carrier


def _geocoder_answer(number: phonenumbers.PhoneNumber) -> Answer:
    overlay = allocated_cn_mobile(str(number.national_number)) if number.country_code == 86 else None
    region_code = phonenumbers.region_code_for_number(number)
    description = geocoder.description_for_valid_number(number, "zh") if region_code == "CN" else ""
    carrier_name = carrier.name_for_valid_number(number, "zh")
    if overlay is not None:
        carrier_name = carrier_name or overlay.operator
    province, city = split_region(description) if description else ("", "")
    return region_code, province, city, carrier_name


def _ingest_answer(number: phonenumbers.PhoneNumber) -> Answer:
    check = check_number(
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        default_region="CN",
        field="phone",
    )
    assert check.ok
    return check.region_code, check.province, check.city, check.carrier


def _valid(numbers: list[phonenumbers.PhoneNumber]) -> list[phonenumbers.PhoneNumber]:
    return [n for n in numbers if phonenumbers.is_valid_number(n)]


def _cn(national: int) -> phonenumbers.PhoneNumber:
    return phonenumbers.PhoneNumber(country_code=86, national_number=national)


def _mismatches(numbers: list[phonenumbers.PhoneNumber]) -> list[tuple[str, Answer, Answer]]:
    return [
        (phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164), ingest, expected)
        for n in numbers
        for ingest, expected in [(_ingest_answer(n), _geocoder_answer(n))]
        if ingest != expected
    ]


def test_valid_mobiles_are_located_as_the_geocoder_located_them() -> None:
    rng = random.Random(14)
    numbers = _valid([_cn(rng.randrange(13_000_000_000, 20_000_000_000)) for _ in range(25_000)])
    assert len(numbers) > 14_794  # at least the sample the table was first checked on
    assert len({n.national_number // 10_000_000 for n in numbers}) > 100  # many prefixes, not one range
    assert _mismatches(numbers) == []


def test_valid_fixed_lines_and_other_chinese_numbers_are_located_as_before() -> None:
    rng = random.Random(15)
    prefixes = [
        line.split(",")[1] for line in TABLE_PATH.open(encoding="utf-8") if line.startswith("landline,")
    ]
    candidates = [
        _cn(int(prefix + "".join(rng.choice("0123456789") for _ in range(rng.choice((7, 8))))))
        for prefix in prefixes
        for _ in range(10)
    ]
    # Every kind of Chinese number the metadata has an example of: toll-free 800, shared-cost 400, VoIP, UAN ...
    for kind in range(phonenumbers.PhoneNumberType.UNKNOWN):
        example = phonenumbers.example_number_for_type("CN", kind)
        if example is not None:
            candidates.append(example)
    numbers = _valid(candidates)
    assert len(numbers) > 1_000
    assert sum(1 for n in numbers if _geocoder_answer(n)[1]) > 1_000  # most of them are placed in a province
    assert _mismatches(numbers) == []


def _foreign_numbers_with_carrier_data(count: int) -> list[phonenumbers.PhoneNumber]:
    """Valid numbers in ranges phonenumbers' carrier data names, outside China: a key of the data (country code
    and prefix) completed with random digits to the first length the metadata accepts. Half of the keys have a
    Chinese name (all in Hong Kong), half only other languages (the answer is then "")."""
    from phonenumbers.carrierdata import CARRIER_DATA

    rng = random.Random(16)
    foreign = sorted(k for k in CARRIER_DATA if not k.startswith("86"))
    chinese = [k for k in foreign if "zh" in CARRIER_DATA[k]]
    keys = rng.sample(chinese, min(count // 2, len(chinese))) + rng.sample(foreign, count // 2)
    numbers = []
    for key in keys:
        for extra in range(2, 12):
            try:
                number = phonenumbers.parse(
                    "+" + key + "".join(rng.choice("0123456789") for _ in range(extra))
                )
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                numbers.append(number)
                break
    return numbers


def test_numbers_of_other_countries_keep_their_carrier_and_get_no_region() -> None:
    examples = [
        example
        for region in sorted(phonenumbers.SUPPORTED_REGIONS - {"CN"})
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE)
        for example in [phonenumbers.example_number_for_type(region, kind)]
        if example is not None
    ]
    numbers = examples + _foreign_numbers_with_carrier_data(600)
    assert len(numbers) > 800
    assert (
        sum(1 for n in numbers if _geocoder_answer(n)[3]) > 200
    )  # carriers are really compared, not just ""
    assert _mismatches(numbers) == []


@pytest.mark.parametrize("number", ["+8614912345678", "+8619212345678"])
def test_ranges_phonenumbers_has_no_metadata_for_keep_the_overlay_operator(number: str) -> None:
    check = check_number(number, default_region="CN", field="phone")
    operator = allocated_cn_mobile(number[3:])
    assert operator is not None
    assert check.ok
    assert check.carrier == (carrier.name_for_number(phonenumbers.parse(number), "zh") or operator.operator)


def test_building_ingest_and_locating_chinese_numbers_loads_neither_geocoder_nor_carrier_data(
    tmp_path: Path,
) -> None:
    """Import ingest, build its app and locate a mobile and a landline in a fresh interpreter: none of
    phonenumbers' geocoder or carrier modules (and their per-locale data) may be in ``sys.modules``."""
    code = (
        "import sys\n"
        "from services.ingest import bootstrap, settings\n"
        "from services.ingest.domain.normalisation import normalise_phone\n"
        "from tests.harness import service_environ\n"
        f"bootstrap.build_app(settings.load(service_environ('ingest', {str(tmp_path)!r}, 'nats://127.0.0.1:1')))\n"
        "assert normalise_phone('13800138000').province == '北京市'\n"
        "assert normalise_phone('0755-12345678').city == '深圳市'\n"
        "loaded = [m for m in sys.modules if m.startswith(('phonenumbers.geo', 'phonenumbers.carrier'))]\n"
        "assert not loaded, loaded\n"
        "assert 'phonenumbers' in sys.modules  # parsing and validation still are phonenumbers' job\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
