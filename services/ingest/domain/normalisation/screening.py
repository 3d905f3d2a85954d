"""``screen_contact``: normalise and validate the contact part of one submission, in one call.

It separates the two ways a submission can fail (see ``errors``):

``violations`` — the request is malformed; the API answers INVALID_ARGUMENT with these field violations and
stores nothing:

* a field longer than its limit (``FieldLimits``; phone and WeChat ID are measured as sent, trimmed; name,
  attribute keys and values after ``clean_text``; e-mail, IP and device id trimmed);
* an e-mail address, IP address or device id that is not one (``InvalidValue`` of ``identifiers``);
* more attributes than allowed, an attribute key that is empty once cleaned, or two keys that become the same
  once cleaned ("city" and " city ").

``rejections`` — the request is well formed but the lead is not acceptable (空错停 filtering); the lead is
REJECTED with *every* reason, stored for audit and never forwarded:

* CONTACT_EMPTY: no phone, no WeChat ID and no e-mail at all (field ""). PHONE_EMPTY: no phone (neither given nor
  taken from the WeChat ID) while ``ScreeningRules.require_phone`` is set and there is some other contact.
* PHONE_INVALID / PHONE_LANDLINE_NOT_ALLOWED: from ``normalise_phone``, with its rule ("phone.too_short",
  "phone.unallocated", "phone.mobile_only", ...).
* WECHAT_INVALID: a WeChat ID that breaks WeChat's rules and is not a mobile number either.
* PHONE_DEAD_NUMBER (rule "phone.dead_number") and BLOCKLISTED_PHONE (rule "blocklist:" + the masked entry) for
  the lead's phone, whether given or taken from the WeChat ID (the field is then "wechat"). A WeChat ID that is a
  mobile number *different* from the given phone is also checked against the blocklist (not against dead
  numbers: the lead is called on its phone).
* SENSITIVE_WORD: one rejection per offending field, the name or an attribute *value*, with the first matching
  keyword as ``rule``. Attribute keys are not screened: they are the labels of the advertiser's own form, not
  what the person wrote, and one keyword hit in a label would reject every lead of that form.

WeChat IDs that are phone numbers: when the WeChat field holds a valid *mobile* number (any form
``normalise_phone`` reads), ``contact.wechat`` is its E.164 form, and when no phone was given it also becomes the
lead's phone with ``phone_from_wechat=True``. When a phone was given as well, the given phone stays the lead's
phone even if it differs (or is invalid: the lead is then rejected for it): the phone field is what the person
filled in as their number, the WeChat field is only how to add them on WeChat.

``contact`` holds the normalised values; a value that failed (violation or PHONE_INVALID / WECHAT_INVALID) is "".
A valid phone rejected by a rule (landline, dead, blocklisted) is kept, so the stored audit record shows which
number it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass, field

import phonenumbers

from services.common.errors import FieldViolation
from services.common.pii import mask_phone
from services.ingest.domain.normalisation.errors import InvalidValue, Rejection, RejectionCode, TextTooLong
from services.ingest.domain.normalisation.identifiers import (
    normalise_device_id,
    normalise_email,
    normalise_ip,
)
from services.ingest.domain.normalisation.phones import PhoneCheck, PhoneKind, mobile_check, normalise_phone
from services.ingest.domain.normalisation.text import KeywordMatcher, clean_text
from services.ingest.domain.normalisation.wechat import validate_wechat_id


@dataclass(frozen=True)
class RawContact:
    """The contact fields of a submission exactly as received (empty string = not given)."""

    name: str = ""
    phone: str = ""
    wechat: str = ""
    email: str = ""
    ip: str = ""
    device_id: str = ""
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FieldLimits:
    """Structural limits, in characters (code points). Exceeding one is a field violation, not a rejection.

    ``name``, ``attributes`` (entries), ``attribute_key``, ``attribute_value`` and ``device_id`` are the limits the
    public API documents on ``SubmitLeadRequest`` (name 100, 64 entries, keys 64, values 1,024, device id 128).
    ``phone`` (32) and ``wechat`` (64) bound what is sent, trimmed, generously above any real number or ID so that
    formatting never trips them; ``email`` is the RFC 5321 path limit of 254; ``ip`` 64 is above the longest IPv6
    text (45).
    """

    name: int = 100
    phone: int = 32
    wechat: int = 64
    email: int = 254
    ip: int = 64
    device_id: int = 128
    attributes: int = 64
    attribute_key: int = 64
    attribute_value: int = 1024


def _no_dead_numbers(_: str) -> bool:
    return False


@dataclass(frozen=True)
class ScreeningRules:
    """A tenant's (or account's) content rules.

    ``blocked_phones`` and ``dead_numbers`` hold E.164 numbers (normalise them with ``normalise_phone`` when they are
    configured); ``dead_numbers`` may instead be a predicate over an E.164 number, for a lookup the caller owns.
    ``sensitive_words`` is a ``KeywordMatcher`` built once per blocklist version. ``allow_landline=False`` accepts
    mobile numbers only. ``require_phone`` rejects leads without a phone with PHONE_EMPTY (off by default:
    a WeChat ID or an e-mail address is a contact too).
    """

    default_region: str = "CN"
    allow_landline: bool = True
    blocked_phones: Set[str] = frozenset()
    sensitive_words: KeywordMatcher | None = None
    dead_numbers: Set[str] | Callable[[str], bool] = frozenset()
    require_phone: bool = False

    def __post_init__(self) -> None:
        region = self.default_region.upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(
                f"default_region {self.default_region!r} is not an ISO 3166 region phonenumbers knows"
            )
        object.__setattr__(self, "default_region", region)

    def is_dead(self, e164: str) -> bool:
        if callable(self.dead_numbers):
            return bool(self.dead_numbers(e164))
        return e164 in self.dead_numbers


@dataclass(frozen=True)
class NormalisedContact:
    """The contact fields in canonical form; "" for absent or failed values. ``attributes`` is the cleaned dict."""

    name: str
    phone: str
    phone_from_wechat: bool
    wechat: str
    email: str
    ip: str
    device_id: str
    attributes: dict[str, str]
    phone_kind: PhoneKind | None
    province: str
    city: str
    carrier: str


@dataclass(frozen=True)
class Screening:
    """The outcome of ``screen_contact``: INVALID_ARGUMENT if ``violations``, else REJECTED if ``rejections``."""

    contact: NormalisedContact
    rejections: list[Rejection]
    violations: list[FieldViolation]


def _too_long(limit: int) -> str:
    return f"must be at most {limit} characters"


def _attribute_path(key: str) -> str:
    # The key as sent, JSON-quoted; cut so that a huge key cannot make a huge error, and lone surrogates (which
    # cannot be encoded on the wire) escaped.
    shown = key if len(key) <= 64 else key[:64] + "…"
    shown = shown.encode("utf-8", "backslashreplace").decode("utf-8")
    return f"attributes[{json.dumps(shown, ensure_ascii=False)}]"


def _clean_attributes(
    raw: Mapping[str, str], limits: FieldLimits, violations: list[FieldViolation]
) -> dict[str, str]:
    if len(raw) > limits.attributes:
        violations.append(
            FieldViolation("attributes", f"must have at most {limits.attributes} entries, got {len(raw)}")
        )
        return {}
    cleaned: dict[str, str] = {}
    for key, value in raw.items():
        try:
            clean_key = clean_text(key, max_length=limits.attribute_key)
        except TextTooLong as exc:
            violations.append(FieldViolation(_attribute_path(key), f"key {exc.message}"))
            continue
        if not clean_key:
            violations.append(FieldViolation(_attribute_path(key), "key must not be empty"))
            continue
        if clean_key in cleaned:
            violations.append(
                FieldViolation(
                    _attribute_path(key), "key is the same as another key once trimmed and cleaned"
                )
            )
            continue
        try:
            cleaned[clean_key] = clean_text(value, max_length=limits.attribute_value)
        except TextTooLong as exc:
            violations.append(FieldViolation(_attribute_path(key), exc.message))
    return cleaned


def _identifier(
    name: str, raw: str, limit: int, normalise: Callable[[str], str], violations: list[FieldViolation]
) -> str:
    text = raw.strip()
    if not text:
        return ""
    if len(text) > limit:
        violations.append(FieldViolation(name, _too_long(limit)))
        return ""
    try:
        return normalise(text)
    except InvalidValue as exc:
        violations.append(FieldViolation(name, exc.message))
        return ""


def screen_contact(raw: RawContact, rules: ScreeningRules, limits: FieldLimits = FieldLimits()) -> Screening:
    """Normalise and validate one submission's contact fields; see the module docstring. Never raises."""
    violations: list[FieldViolation] = []
    rejections: list[Rejection] = []

    try:
        name = clean_text(raw.name, max_length=limits.name)
    except TextTooLong as exc:
        violations.append(FieldViolation("name", exc.message))
        name = ""
    attributes = _clean_attributes(raw.attributes, limits, violations)
    email = _identifier("email", raw.email, limits.email, normalise_email, violations)
    ip = _identifier("ip", raw.ip, limits.ip, normalise_ip, violations)
    device_id = _identifier("device_id", raw.device_id, limits.device_id, normalise_device_id, violations)

    phone_text = raw.phone.strip()
    wechat_text = raw.wechat.strip()
    email_given = bool(raw.email.strip())

    # The given phone.
    check: PhoneCheck | None = None
    if len(phone_text) > limits.phone:
        violations.append(FieldViolation("phone", _too_long(limits.phone)))
    elif phone_text:
        check = normalise_phone(
            phone_text,
            default_region=rules.default_region,
            allow_landline=rules.allow_landline,
            field="phone",
        )
        if check.rejection is not None:
            rejections.append(check.rejection)

    # The WeChat ID: a WeChat ID, or a mobile number, or neither.
    wechat = ""
    wechat_phone: PhoneCheck | None = None
    if len(wechat_text) > limits.wechat:
        violations.append(FieldViolation("wechat", _too_long(limits.wechat)))
    elif wechat_text:
        wechat_id = validate_wechat_id(wechat_text)
        if wechat_id is not None:
            wechat = wechat_id
        else:
            wechat_phone = mobile_check(wechat_text, default_region=rules.default_region, field="wechat")
            if wechat_phone is None:
                rejections.append(
                    Rejection(
                        RejectionCode.WECHAT_INVALID,
                        "wechat",
                        "The WeChat ID is not a valid WeChat ID (6 to 20 letters, digits, '_' or '-', starting "
                        "with a letter) nor a mobile number.",
                        "wechat.format",
                    )
                )
            else:
                wechat = wechat_phone.e164 or ""

    phone_from_wechat = False
    if not phone_text and wechat_phone is not None:
        check = wechat_phone
        phone_from_wechat = True
    phone = (check.e164 or "") if check is not None else ""

    # Content rules on the lead's number (and on a different number in the WeChat field).
    if phone:
        phone_field = "wechat" if phone_from_wechat else "phone"
        if rules.is_dead(phone):
            rejections.append(
                Rejection(
                    RejectionCode.PHONE_DEAD_NUMBER,
                    phone_field,
                    "The phone number is known to be dead (empty or suspended).",
                    "phone.dead_number",
                )
            )
        if phone in rules.blocked_phones:
            rejections.append(_blocklisted(phone_field, phone))
    if wechat_phone is not None and wechat_phone.e164 != phone and wechat in rules.blocked_phones:
        rejections.append(_blocklisted("wechat", wechat))

    # Is there any contact at all?
    if not phone_text and not wechat_text and not email_given:
        rejections.insert(
            0,
            Rejection(
                RejectionCode.CONTACT_EMPTY,
                "",
                "The submission has no phone number, WeChat ID or e-mail address.",
                "contact.empty",
            ),
        )
    elif rules.require_phone and not phone_text and not phone:
        rejections.insert(
            0,
            Rejection(
                RejectionCode.PHONE_EMPTY,
                "phone",
                "The submission has no phone number, and the WeChat ID is not one.",
                "phone.required",
            ),
        )

    # Sensitive words in what the person wrote: the name and the attribute values (one rejection per field).
    matcher = rules.sensitive_words
    if matcher is not None and matcher.find([name, *attributes.values()]) is not None:
        fields = [
            ("name", name, "name"),
            *((_attribute_path(k), v, "attribute value") for k, v in attributes.items()),
        ]
        for path, text, what in fields:
            keyword = matcher.find((text,))
            if keyword is not None:
                rejections.append(
                    Rejection(
                        RejectionCode.SENSITIVE_WORD,
                        path,
                        f"The {what} contains a word on the tenant's sensitive-word list.",
                        keyword,
                    )
                )

    contact = NormalisedContact(
        name=name,
        phone=phone,
        phone_from_wechat=phone_from_wechat,
        wechat=wechat,
        email=email,
        ip=ip,
        device_id=device_id,
        attributes=attributes,
        phone_kind=check.kind if check is not None and phone else None,
        province=check.province if check is not None else "",
        city=check.city if check is not None else "",
        carrier=check.carrier if check is not None else "",
    )
    return Screening(contact=contact, rejections=rejections, violations=violations)


def _blocklisted(field_path: str, e164: str) -> Rejection:
    return Rejection(
        RejectionCode.BLOCKLISTED_PHONE,
        field_path,
        "The phone number is on the tenant's blocklist.",
        f"blocklist:{mask_phone(e164)}",
    )
