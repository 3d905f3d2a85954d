"""Phone numbers: read what people type into lead forms, validate it for real, classify it, locate it.

Reading (before libphonenumber sees the text):

* NFKC, so full-width digits and signs typed with a Chinese IME ("１３８－００１３－８０００", "＋８６") become ASCII;
  other Unicode decimal digits become ASCII digits; every dash and minus sign becomes "-".
* A leading label is dropped ("tel:", "Tel.", "phone", "手机:", "手机号码：", "电话", "联系电话" ...), and so is
  punctuation around the number ("13800138000。", "<13800138000>", "【13800138000】").
* What is left may contain only digits, "+", spaces, "-", ".", "/" and parentheses. Anything else, letters above
  all, makes the number PHONE_INVALID (rule ``phone.not_a_number``): libphonenumber would otherwise read letters
  as a phone keypad ("138ABC13800" → +8613822213800) and accept extensions ("ext 12") that E.164 cannot carry.

Validation is ``phonenumbers.parse`` once, with ``default_region`` for numbers without a country code, then
``is_valid_number`` (the full per-region metadata: length *and* allocated prefixes, so 10-digit "1380013800",
12-digit "138001380001", unallocated "140…"/"160…" mobiles and Shenzhen landlines with 7 digits all fail), not just
``is_possible_number``. The rejection's rule says why: ``phone.not_a_number``, ``phone.too_short``,
``phone.too_long`` (a Chinese number starting 13–19 that does not have 11 digits is always one of these two, since
no area code starts that way), ``phone.invalid_length``, ``phone.invalid_country_code``, or ``phone.unallocated``
(a possible length, but no such number range: "140…", "0755-1234567").

What libphonenumber accepts on top, deliberately kept:

* "+86", "0086", "86" and "+0086" before a Chinese number; a trunk "0" after the country code ("+86 (0)755 …");
  a "0" before a mobile ("013800138000"); the carrier IP-dialling prefixes 17951/12593 ("17951 13800138000").
* Any country: "+44 7911 123456" is valid and becomes "+447911123456" with its own region code.

Kinds: MOBILE, FIXED_LINE → LANDLINE, VOIP, TOLL_FREE (800) and OTHER (400 numbers are SHARED_COST in the
metadata, plus premium, UAN, pager ...). FIXED_LINE_OR_MOBILE (the USA, Canada and others, whose numbers do not
tell) counts as MOBILE: a mobile-only account must not reject every North American number.

Location: for Chinese numbers, province and city from ``geocoder`` in Chinese, split by
``regions.split_region`` (canonical province name; municipality → city = province; "" when unknown), and the
carrier from ``carrier`` in Chinese ("中国移动"). The carrier is the one the number range was allocated to: a number
ported under 携号转网 still shows its original carrier. Numbers of other regions get no province or city (the API's
Region is a place in China); their carrier is filled when the metadata knows it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType, ValidationResult, carrier, geocoder

from services.ingest.domain.normalisation.errors import Rejection, RejectionCode
from services.ingest.domain.normalisation.regions import split_region


class PhoneKind(StrEnum):
    MOBILE = "MOBILE"
    LANDLINE = "LANDLINE"
    VOIP = "VOIP"
    TOLL_FREE = "TOLL_FREE"
    OTHER = "OTHER"


@dataclass(frozen=True)
class PhoneCheck:
    """The outcome of ``normalise_phone``.

    ``e164`` (with ``kind``, ``region_code``, location and carrier) is set whenever the text is a valid number,
    even if a rule then rejects it (``PHONE_LANDLINE_NOT_ALLOWED``), so that the caller can still record what the
    number was; it is ``None`` exactly when the text is not a valid number (``PHONE_EMPTY``, ``PHONE_INVALID``).
    The number is usable when ``rejection`` is ``None``.
    """

    e164: str | None
    kind: PhoneKind | None
    region_code: str | None
    province: str
    city: str
    carrier: str
    rejection: Rejection | None

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

_KIND_WORDS: dict[PhoneKind, str] = {
    PhoneKind.MOBILE: "a mobile",
    PhoneKind.LANDLINE: "a landline",
    PhoneKind.VOIP: "a VoIP",
    PhoneKind.TOLL_FREE: "a toll-free",
    PhoneKind.OTHER: "a special-service",
}

_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\ufe58\ufe63", "-"))
_LABEL = re.compile(
    r"^(?:tel|phone|mobile|mob|cellphone|cell|手机号码|手机号|手机|电话号码|联系电话|电话|联系方式)\s*[:.]?\s*",
    re.IGNORECASE,
)
_EDGE_JUNK = " .,;:!?#*'\"`<>。、“”‘’《》【】「」"
_NUMBER_CHARS = re.compile(r"[0-9+\-.()/ ]+")
_DIGIT = re.compile(r"[0-9]")
_CN_MOBILE_PREFIX = re.compile(r"1[3-9]")

_PARSE_ERRORS: dict[int, tuple[str, str]] = {
    NumberParseException.INVALID_COUNTRY_CODE: (
        "phone.invalid_country_code",
        "The phone number has no valid country code.",
    ),
    NumberParseException.NOT_A_NUMBER: ("phone.not_a_number", "The phone number is not a number."),
    NumberParseException.TOO_SHORT_AFTER_IDD: ("phone.too_short", "The phone number is too short."),
    NumberParseException.TOO_SHORT_NSN: ("phone.too_short", "The phone number is too short."),
    NumberParseException.TOO_LONG: ("phone.too_long", "The phone number is too long."),
}

_INVALID_REASONS: dict[int, tuple[str, str]] = {
    ValidationResult.INVALID_COUNTRY_CODE: (
        "phone.invalid_country_code",
        "The phone number has no valid country code.",
    ),
    ValidationResult.TOO_SHORT: ("phone.too_short", "The phone number is too short for {region}."),
    ValidationResult.TOO_LONG: ("phone.too_long", "The phone number is too long for {region}."),
    ValidationResult.INVALID_LENGTH: (
        "phone.invalid_length",
        "The phone number has a length no number in {region} has.",
    ),
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: (
        "phone.too_short",
        "The phone number is too short for {region}: at most a local number without its area code, or a "
        "service short code.",
    ),
    ValidationResult.IS_POSSIBLE: (
        "phone.unallocated",
        "The phone number is not in use in {region}: its prefix is not allocated, or its length is wrong for "
        "its area.",
    ),
}


def _ascii_digits(text: str) -> str:
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in text)


def _prepare(raw: str) -> str | None:
    """The number part of ``raw`` in ASCII, or None when ``raw`` contains anything a phone number cannot."""
    text = unicodedata.normalize("NFKC", raw).translate(_DASHES).strip()
    if not text.isascii():
        text = _ascii_digits(text)
    text = _LABEL.sub("", text, count=1).strip(_EDGE_JUNK)
    if not _NUMBER_CHARS.fullmatch(text) or not _DIGIT.search(text):
        return None
    return text


def _rejected(code: RejectionCode, field: str, message: str, rule: str) -> PhoneCheck:
    return PhoneCheck(None, None, None, "", "", "", Rejection(code, field, message, rule))


def is_known_region(region: str) -> bool:
    """Whether ``region`` (ISO 3166-1 alpha-2, upper case) is a region the phone number library can read numbers
    of; only such a region can be a tenant's default region."""
    return region in phonenumbers.SUPPORTED_REGIONS


def normalise_phone(
    raw: str, *, default_region: str = "CN", allow_landline: bool = True, field: str = "phone"
) -> PhoneCheck:
    """Read, validate and classify one phone number; see the module docstring for the rules.

    ``default_region`` (ISO 3166 alpha-2) is the country of numbers written without a country code.
    ``allow_landline=False`` means *mobile numbers only*: every valid number of another kind (landline, 400/800,
    VoIP) is rejected with PHONE_LANDLINE_NOT_ALLOWED (rule ``phone.mobile_only``). ``field`` is the request field
    path put into the rejection. Never raises for any text; rejections never contain the number.
    """
    if not raw.strip():
        return _rejected(RejectionCode.PHONE_EMPTY, field, "No phone number was given.", "phone.empty")
    text = _prepare(raw)
    if text is None:
        return _rejected(
            RejectionCode.PHONE_INVALID,
            field,
            "The phone number contains characters that are not part of a phone number.",
            "phone.not_a_number",
        )
    try:
        number = phonenumbers.parse(text, default_region.upper())
    except NumberParseException as exc:
        rule, message = _PARSE_ERRORS.get(
            exc.error_type, ("phone.not_a_number", "The phone number is not a number.")
        )
        return _rejected(RejectionCode.PHONE_INVALID, field, message, rule)

    if not phonenumbers.is_valid_number(number):
        region = phonenumbers.region_code_for_country_code(number.country_code or 0)
        national = str(number.national_number)
        if number.country_code == 86 and _CN_MOBILE_PREFIX.match(national) and len(national) != 11:
            # No Chinese area code starts 13–19, so this was meant as a mobile: say what is wrong with it.
            rule = "phone.too_short" if len(national) < 11 else "phone.too_long"
            return _rejected(
                RejectionCode.PHONE_INVALID,
                field,
                "A Chinese mobile number has 11 digits; this one has not.",
                rule,
            )
        reason = phonenumbers.is_possible_number_with_reason(number)
        rule, message = _INVALID_REASONS.get(reason, _INVALID_REASONS[ValidationResult.IS_POSSIBLE])
        return _rejected(RejectionCode.PHONE_INVALID, field, message.format(region=region), rule)

    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    kind = _KINDS.get(phonenumbers.number_type(number), PhoneKind.OTHER)
    region_code = phonenumbers.region_code_for_number(number)
    province = city = ""
    if region_code == "CN":
        province, city = split_region(geocoder.description_for_valid_number(number, "zh"))
    carrier_name = carrier.name_for_valid_number(number, "zh")

    rejection = None
    if not allow_landline and kind is not PhoneKind.MOBILE:
        rejection = Rejection(
            RejectionCode.PHONE_LANDLINE_NOT_ALLOWED,
            field,
            f"The phone number is {_KIND_WORDS[kind]} number and only mobile numbers are accepted.",
            "phone.mobile_only",
        )
    return PhoneCheck(e164, kind, region_code, province, city, carrier_name, rejection)


def wechat_as_phone(raw: str, *, default_region: str = "CN") -> str | None:
    """The E.164 form of a WeChat ID that is really a valid *mobile* number, else None.

    People often type their phone number into the WeChat field (WeChat finds accounts by phone number), in any
    of the forms ``normalise_phone`` reads: "+86 138 0013 8000", "0086-13800138000", "１３８００１３８０００".
    A landline, 400/800 or invalid number is not taken. Valid WeChat IDs start with a letter, so no real WeChat ID
    is ever mistaken for a number.
    """
    check = mobile_check(raw, default_region=default_region, field="wechat")
    return check.e164 if check is not None else None


def mobile_check(raw: str, *, default_region: str, field: str) -> PhoneCheck | None:
    """The full ``PhoneCheck`` of ``raw`` when it is a valid mobile number, else None (for ``screen_contact``)."""
    check = normalise_phone(raw, default_region=default_region, allow_landline=True, field=field)
    if check.rejection is None and check.kind is PhoneKind.MOBILE:
        return check
    return None
