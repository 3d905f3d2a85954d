"""The compact CN region table answers exactly what the installed phonenumbers answers.

If phonenumbers is upgraded and its data changes, these tests fail: regenerate the table with
``python scripts/gen_cn_regions.py`` (``make phoneregion-check`` runs the same comparison without pytest).
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import phonenumbers
import pytest
from phonenumbers import carrier, geocoder

from services.common.phoneregion import PhoneRegion, lookup, region_of
from services.common.phoneregion.descriptions import split_region
from services.common.phoneregion.table import TABLE_PATH

ROOT = Path(__file__).resolve().parents[3]


def _expected(number: phonenumbers.PhoneNumber) -> PhoneRegion:
    province, city = split_region(geocoder.description_for_valid_number(number, "zh"))
    return PhoneRegion(province, city, carrier.name_for_valid_number(number, "zh"))


def _run_starts() -> list[int]:
    with TABLE_PATH.open(encoding="utf-8") as handle:
        return [int(line.split(",")[1]) for line in handle if line.startswith("mobile,")]


def _valid_mobiles() -> list[phonenumbers.PhoneNumber]:
    """Every run's first and last number (where a wrong boundary would show) plus 20,000 random numbers; only
    the valid ones, since the table is asked only about numbers phonenumbers accepted."""
    rng = random.Random(20260101)
    starts = _run_starts()
    candidates = [block * 10_000 for block in starts] + [block * 10_000 - 1 for block in starts[1:]]
    candidates += [rng.randrange(13_000_000_000, 20_000_000_000) for _ in range(20_000)]
    numbers = (phonenumbers.PhoneNumber(country_code=86, national_number=n) for n in candidates)
    return [n for n in numbers if phonenumbers.is_valid_number(n)]


def test_every_sampled_valid_mobile_gets_the_geocoders_answer():
    numbers = _valid_mobiles()
    assert len(numbers) > 50_000  # the sample is large, not a handful
    mismatches = [
        (phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164), lookup(e164), _expected(n))
        for n in numbers
        for e164 in [phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164)]
        if lookup(e164) != _expected(n)
    ]
    assert mismatches == []


def test_valid_landlines_get_the_geocoders_answer():
    rng = random.Random(7)
    prefixes = [
        line.split(",")[1] for line in TABLE_PATH.open(encoding="utf-8") if line.startswith("landline,")
    ]
    checked = 0
    for prefix in prefixes:
        for _ in range(20):
            digits = prefix + "".join(rng.choice("0123456789") for _ in range(rng.choice((7, 8))))
            number = phonenumbers.PhoneNumber(country_code=86, national_number=int(digits))
            if not phonenumbers.is_valid_number(number):
                continue
            checked += 1
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            assert lookup(e164) == _expected(number), e164
    assert checked > 2_000


@pytest.mark.parametrize(
    ("e164", "expected"),
    [
        ("+8613800138000", ("北京市", "北京市")),
        ("+8675512345678", ("广东省", "深圳市")),
        ("+14155552671", None),  # another country
        ("+86138001380００", None),  # not ASCII digits
        ("", None),
    ],
)
def test_region_of_examples(e164, expected):
    assert region_of(e164) == expected


def test_importing_the_loader_does_not_import_the_geocoder():
    code = (
        "import sys; from services.common.phoneregion import region_of; region_of('+8613800138000'); "
        "print(any(m.startswith('phonenumbers') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_committed_table_names_the_installed_phonenumbers_version():
    first_line = TABLE_PATH.read_text(encoding="utf-8").splitlines()[0]
    assert f"phonenumbers {phonenumbers.__version__};" in first_line
