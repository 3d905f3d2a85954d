"""One phone number: validate it for real, classify it, locate it. ``phones`` decides which texts of a cell are
numbers; this module judges one text.

Validation is ``phonenumbers.parse`` once, with ``default_region`` for numbers without a country code (a mainland
mobile written plainly, 11 digits with or without "+86", is read into the same number without it:
``plain_cn_mobile``), then the allocated-prefix overlay (``mobile_prefixes``: an 11-digit Chinese number with an allocated mobile prefix is a
mobile number even where phonenumbers' metadata lags, such as China Telecom's 149), then validity as
``is_valid_number`` judges it, read from ``number_type`` (the full per-region metadata: length *and* allocated
prefixes, so 10-digit "1380013800", unallocated "140…" mobiles and Shenzhen landlines with 7 digits all fail), not
just ``is_possible_number``.

A rejection says what is wrong with the number that was sent, by its digit count and the prefix class, never by
repeating it (architecture §6): ``phone.not_a_number``, ``phone.too_short``, ``phone.too_long``,
``phone.invalid_length``, ``phone.invalid_country_code``, ``phone.unallocated``.

What libphonenumber accepts on top, deliberately kept: "+86", "0086", "86" and "+0086" before a Chinese number; a
trunk "0" after the country code ("+86 (0)755 …"); a "0" before a mobile ("013800138000"); the carrier IP-dialling
prefixes 17951/12593 ("17951 13800138000"); any country ("+44 7911 123456" → "+447911123456", region GG/GB).

Kinds: MOBILE, FIXED_LINE → LANDLINE, VOIP, TOLL_FREE (800) and OTHER (400 numbers are SHARED_COST in the metadata,
plus premium, UAN, pager ...). FIXED_LINE_OR_MOBILE (the USA, Canada and others, whose numbers do not tell) counts
as MOBILE: a mobile-only account must not reject every North American number.

Location: for Chinese numbers, province, city and carrier from ``services.common.phoneregion``, the compact table
generated from phonenumbers' geocoder and carrier data in Chinese (canonical province name; municipality → city =
province; "" when unknown; carrier "中国移动"), or the overlay's operator when the data does not know the range. The
table gives the geocoder's answers without loading the geocoder (its data for every locale costs ~100 MB of RSS).
The carrier is the one the range was allocated to: a number ported under 携号转网 still shows its original carrier.
Numbers of other regions get no province or city (the API's Region is a place in China); their carrier is filled
when phonenumbers' carrier data knows it, imported on the first such number (~10 MB), not at start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType, ValidationResult

from services.common import phoneregion
from services.ingest.domain.normalisation.errors import Rejection, RejectionCode
from services.ingest.domain.normalisation.mobile_prefixes import allocated_cn_mobile


class PhoneKind(StrEnum):
    MOBILE = "MOBILE"
    LANDLINE = "LANDLINE"
    VOIP = "VOIP"
    TOLL_FREE = "TOLL_FREE"
    OTHER = "OTHER"


@dataclass(frozen=True)
class PhoneCheck:
    """The outcome of reading a phone field (``phones.normalise_phone``) or one number of it.

    ``e164`` (with ``kind``, ``region_code``, location and carrier) is set whenever a valid number was found, even
    if a rule then rejects it (``PHONE_LANDLINE_NOT_ALLOWED``, an extension the tenant does not take), so that the
    caller can still record what the number was; it is ``None`` exactly when no valid number was found
    (``PHONE_EMPTY``, ``PHONE_INVALID``). The number is usable when ``rejection`` is ``None``.

    ``extension`` is the number's extension (分机号), digits only, "" when none. ``alternates`` are the other usable
    numbers of the same field, in E.164 and in the order written, without the lead's own number or repeats.
    """

    e164: str | None
    kind: PhoneKind | None
    region_code: str | None
    province: str
    city: str
    carrier: str
    rejection: Rejection | None
    extension: str = ""
    alternates: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.rejection is None


_KINDS: dict[int, PhoneKind] = {
    PhoneNumberType.MOBILE: PhoneKind.MOBILE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE: PhoneKind.MOBILE,
    PhoneNumberType.FIXED_LINE: PhoneKind.LANDLINE,
    PhoneNumberType.VOIP: PhoneKind.VOIP,
    PhoneNumberType.TOLL_FREE: PhoneKind.TOLL_FREE,
}

_NON_DIGITS = re.compile(r"[^0-9]")
# Chinese national numbers starting 13-19 are meant as mobiles whatever their length (no area code starts that
# way); 11-digit ones starting 11-19 too (Beijing's area code is 10).
_CN_MOBILE_LIKE = re.compile(r"1[3-9]")
_CN_ELEVEN_DIGIT_MOBILE_LIKE = re.compile(r"1[1-9][0-9]{9}")
# Chinese numbers with their area code have 10 to 12 digits (2-3 digit area code, 7-8 digit local number); 8 or
# fewer digits are at most a local number or a service code.
_CN_MAX_LOCAL_ONLY = 8
_CN_COUNTRY_CODE = 86
_CN_MIN_NATIONAL = 10
# A mainland mobile written plainly, 11 ASCII digits with or without "+86": most of what arrives. It is read without
# phonenumbers.parse (two thirds of a number's cost) into the number parse gives it (tests/ingest/unit/
# test_phone_validity.py holds the two equal for every prefix); anything else goes to parse.
_PLAIN_CN_MOBILE = re.compile(r"(\+86)?(1[3-9][0-9]{9})")
MAX_E164_DIGITS = 15  # ITU-T E.164 §6.1: country code plus national number


def rejected(rule: str, message: str, field: str) -> PhoneCheck:
    """A ``PhoneCheck`` without a number, rejected with PHONE_INVALID and ``rule``."""
    return PhoneCheck(
        None, None, None, "", "", "", Rejection(RejectionCode.PHONE_INVALID, field, message, rule)
    )


def _digits(n: int) -> str:
    return f"{n} digit" if n == 1 else f"{n} digits"


def _region_name(region: str | None) -> str:
    return "China" if region == "CN" else (region or "that country")


def _parse_failure(exc: NumberParseException, text: str, field: str) -> PhoneCheck:
    count = len(_NON_DIGITS.sub("", text))
    kind = exc.error_type
    if kind == NumberParseException.INVALID_COUNTRY_CODE:
        return rejected(
            "phone.invalid_country_code",
            "The phone number starts with an international prefix ('+' or '00') followed by no country calling "
            "code in use.",
            field,
        )
    if kind in (NumberParseException.TOO_SHORT_AFTER_IDD, NumberParseException.TOO_SHORT_NSN):
        return rejected(
            "phone.too_short",
            f"The phone number has only {_digits(count)} with its country code, too few for any number.",
            field,
        )
    if kind == NumberParseException.TOO_LONG:
        return rejected(
            "phone.too_long",
            f"The phone field holds {_digits(count)}, more than any one phone number has "
            f"(at most {MAX_E164_DIGITS} with its country code).",
            field,
        )
    return rejected(
        "phone.not_a_number", f"The phone field holds {_digits(count)}, not a phone number.", field
    )


def _invalid(number: phonenumbers.PhoneNumber, field: str) -> PhoneCheck:
    """The rejection of a parsed number that is not valid, saying what is wrong with it."""
    region = phonenumbers.region_code_for_country_code(number.country_code or 0)
    where = _region_name(region)
    national = str(number.national_number)
    if number.country_code == 86 and _CN_MOBILE_LIKE.match(national) and len(national) != 11:
        return rejected(
            "phone.too_short" if len(national) < 11 else "phone.too_long",
            f"A Chinese mobile number has 11 digits; this one has {len(national)}.",
            field,
        )
    if number.country_code == 86 and len(national) <= _CN_MAX_LOCAL_ONLY:
        return rejected(
            "phone.too_short",
            f"The phone number has only {_digits(len(national))}: a local number without its area code, or a "
            "short service code, neither of which can be called from elsewhere.",
            field,
        )
    if number.country_code == 86 and len(national) < _CN_MIN_NATIONAL:
        return rejected(
            "phone.too_short",
            f"The phone number has only {_digits(len(national))}, too few for a Chinese number with its area "
            "code.",
            field,
        )
    if number.country_code == 86 and _CN_ELEVEN_DIGIT_MOBILE_LIKE.fullmatch(national):
        return rejected(
            "phone.unallocated",
            f"No Chinese mobile numbers start with {national[:3]}: that prefix is not allocated to any operator.",
            field,
        )
    count = len(national)
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == ValidationResult.INVALID_COUNTRY_CODE:
        return rejected(
            "phone.invalid_country_code", "The phone number's country calling code is not in use.", field
        )
    if reason == ValidationResult.TOO_SHORT:
        return rejected(
            "phone.too_short",
            f"The phone number has only {_digits(count)}, too few for a number in {where}.",
            field,
        )
    if reason == ValidationResult.TOO_LONG:
        return rejected(
            "phone.too_long",
            f"The phone number has {_digits(count)}, too many for a number in {where}.",
            field,
        )
    if reason == ValidationResult.INVALID_LENGTH:
        return rejected(
            "phone.invalid_length",
            f"The phone number has {_digits(count)}, a length no number in {where} has.",
            field,
        )
    if reason == ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
        return rejected(
            "phone.too_short",
            f"The phone number has only {_digits(count)}: a local number without its area code, or a short "
            "service code, neither of which can be called from elsewhere.",
            field,
        )
    return rejected(
        "phone.unallocated",
        f"No number range in {where} matches this number of {_digits(count)}: its area code or prefix is not in "
        "use, or the local number is too short or too long for its area.",
        field,
    )


def plain_cn_mobile(text: str, default_region: str) -> phonenumbers.PhoneNumber | None:
    """The number ``phonenumbers.parse(text, default_region)`` gives when ``text`` is an 11-digit mainland mobile
    written plainly ("13800138000" with default region CN, or "+8613800138000"); None for any other text."""
    plain = _PLAIN_CN_MOBILE.fullmatch(text)
    if plain is None or (plain.group(1) is None and default_region != "CN"):
        return None
    return phonenumbers.PhoneNumber(country_code=_CN_COUNTRY_CODE, national_number=int(plain.group(2)))


def check_number(text: str, *, default_region: str, field: str) -> PhoneCheck:
    """Validate and classify the number ``text`` (number characters only, as ``phone_text`` leaves them).

    Returns a valid number (``rejection`` None, no policy applied) or a PHONE_INVALID rejection that describes the
    input. Never raises; the rejection never contains the number.
    """
    number = plain_cn_mobile(text, default_region)
    if number is None:
        try:
            number = phonenumbers.parse(text, default_region)
        except NumberParseException as exc:
            return _parse_failure(exc, text, field)

    overlay = allocated_cn_mobile(str(number.national_number)) if number.country_code == 86 else None
    # number_type is UNKNOWN exactly when is_valid_number is False: both match the national number against the
    # patterns of the region region_code_for_number picks (phonenumberutil), so one call answers both questions
    # (tests/ingest/unit/test_phone_validity.py holds the library to it).
    number_type = phonenumbers.number_type(number)
    valid = number_type != PhoneNumberType.UNKNOWN
    if not valid and overlay is None:
        return _invalid(number, field)

    number.extension = None  # extensions are read by phone_text, never by the library
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    province, city, carrier_name = "", "", ""
    if valid:
        kind = _KINDS.get(number_type, PhoneKind.OTHER)
        region_code = phonenumbers.region_code_for_number(number)
        if number.country_code == _CN_COUNTRY_CODE:
            place = phoneregion.lookup(e164)
            if place is not None:
                province, city, carrier_name = place.province, place.city, place.carrier
        else:
            carrier_name = _foreign_carrier(number)
    else:
        kind, region_code = PhoneKind.MOBILE, "CN"
    if overlay is not None:
        kind = PhoneKind.MOBILE
        carrier_name = carrier_name or overlay.operator
    return PhoneCheck(e164, kind, region_code, province, city, carrier_name, None)


def _foreign_carrier(number: phonenumbers.PhoneNumber) -> str:
    """The carrier phonenumbers names, in Chinese where it has the name, for a valid number outside China; ""
    when its data does not know the range. Imported here, on the first such number: the carrier data of every
    country is ~10 MB of RSS that a service seeing only Chinese numbers never needs."""
    from phonenumbers import carrier

    return carrier.name_for_valid_number(number, "zh")
