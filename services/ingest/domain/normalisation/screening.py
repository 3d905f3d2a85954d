"""``screen_contact``: normalise and validate the contact part of one submission, in one call.

Every contact field (phone, WeChat ID, e-mail, IP, device id) first goes through the one cleaning step
(``cleaning.clean_contact_value``: invisible characters, NFKC, white space); a placeholder ("无", "none", "-")
counts as not given. The text sensitive words are matched in is folded by ``text.fold_for_matching``, which removes
the same invisible characters.

It separates the two ways a submission can fail (see ``errors``):

``violations`` — the request is malformed; the API answers INVALID_ARGUMENT with these field violations and
stores nothing:

* a field longer than its limit (``FieldLimits``; phone, WeChat ID, e-mail, IP and device id measured after
  cleaning; name, attribute keys and values after ``clean_text``);
* an e-mail address, IP address or device id that is not one (``InvalidValue`` of ``identifiers``);
* more attributes than allowed, an attribute key that is empty once cleaned, or two keys that become the same
  once cleaned ("city" and " city ").

``rejections`` — the request is well formed but the lead is not acceptable (空错停 filtering); the lead is
REJECTED with *every* reason, stored for audit and never forwarded:

* CONTACT_EMPTY: no phone, no WeChat ID and no e-mail at all (field ""). PHONE_EMPTY: no phone (neither given nor
  taken from the WeChat ID) while ``ScreeningRules.require_phone`` is set and there is some other contact.
* PHONE_INVALID / PHONE_LANDLINE_NOT_ALLOWED: from ``normalise_phone``, with its rule ("phone.too_short",
  "phone.unallocated", "phone.mobile_only", "phone.scientific_notation", ...).
* WECHAT_INVALID: a WeChat field that is neither a WeChat ID nor one mobile number, with a rule saying what is
  wrong with it ("wechat.too_short", "wechat.chinese_text", ...).
* PHONE_DEAD_NUMBER (rule "phone.dead_number") and BLOCKLISTED_PHONE (rule "blocklist:" + the masked entry) for
  the lead's phone, whether given or taken from the WeChat ID (the field is then "wechat"). The alternate phones
  of the phone field and a WeChat ID that is a mobile number *different* from the lead's phone are also checked
  against the blocklist (not against dead numbers: the lead is called on its phone).
* SENSITIVE_WORD: one rejection per offending field, the name or an attribute *value*, with the first matching
  keyword as ``rule``. Attribute keys are not screened: they are the labels of the advertiser's own form, not
  what the person wrote, and one keyword hit in a label would reject every lead of that form.

Several numbers and extensions in the phone field (``phones``): the first usable number is the lead's phone, its
extension is ``contact.phone_extension``, the other usable numbers are ``contact.alternate_phones`` (E.164) when
``ScreeningRules.keep_alternate_phones``; ``ScreeningRules.allow_extension=False`` refuses numbers with an extension.

WeChat IDs that are phone numbers: when the WeChat field holds one valid *mobile* number (any form
``normalise_phone`` reads, label or not), ``contact.wechat`` is its E.164 form, and when no phone was given it also
becomes the lead's phone with ``phone_from_wechat=True``. When a phone was given as well, the given phone stays the
lead's phone even if it differs (or is invalid: the lead is then rejected for it): the phone field is what the
person filled in as their number, the WeChat field is only how to add them on WeChat. A WeChat field that says "same
as my phone" (微信同号, 同手机号) takes the lead's phone as its value.

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
from services.ingest.domain.normalisation.cleaning import clean_contact_value, is_placeholder
from services.ingest.domain.normalisation.errors import InvalidValue, Rejection, RejectionCode, TextTooLong
from services.ingest.domain.normalisation.identifiers import (
    normalise_device_id,
    normalise_email,
    normalise_ip,
)
from services.ingest.domain.normalisation.phones import PhoneCheck, PhoneKind, normalise_phone
from services.ingest.domain.normalisation.text import KeywordMatcher, clean_text
from services.ingest.domain.normalisation.wechat import WechatField, read_wechat


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
    ``phone`` (64) and ``wechat`` (64) bound the cleaned field, generously above any real number or ID so that
    formatting, a label, an extension or a second and third number never trip them; ``email`` is the RFC 5321
    path limit of 254; ``ip`` 64 is above the longest IPv6 text (45).
    """

    name: int = 100
    phone: int = 64
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
    a WeChat ID or an e-mail address is a contact too). ``allow_extension=False`` refuses phone numbers with an
    extension (分机号); ``keep_alternate_phones=False`` drops the other numbers of the phone field instead of keeping
    them as alternate phones.
    """

    default_region: str = "CN"
    allow_landline: bool = True
    blocked_phones: Set[str] = frozenset()
    sensitive_words: KeywordMatcher | None = None
    dead_numbers: Set[str] | Callable[[str], bool] = frozenset()
    require_phone: bool = False
    allow_extension: bool = True
    keep_alternate_phones: bool = True

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
    """The contact fields in canonical form; "" for absent or failed values. ``attributes`` is the cleaned dict.
    ``phone_extension`` is the extension of the lead's phone (digits, "" when none); ``alternate_phones`` are the
    other usable numbers of the phone field, E.164, in the order written."""

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
    phone_extension: str = ""
    alternate_phones: tuple[str, ...] = ()


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
    text = clean_contact_value(raw)
    if not text or is_placeholder(text):
        return ""
    if len(text) > limit:
        violations.append(FieldViolation(name, _too_long(limit)))
        return ""
    try:
        return normalise(text)
    except InvalidValue as exc:
        violations.append(FieldViolation(name, exc.message))
        return ""


def _given(raw: str) -> str:
    """The cleaned field, or "" when it holds nothing or a placeholder."""
    text = clean_contact_value(raw)
    return "" if is_placeholder(text) else text


def _wechat_rejection(wechat: WechatField) -> Rejection:
    problem = wechat.problem
    assert problem is not None
    return Rejection(RejectionCode.WECHAT_INVALID, "wechat", problem.message, problem.rule)


def _phone_required(wechat_given: bool) -> Rejection:
    message = (
        "The submission has no phone number, and its WeChat field does not hold a mobile number."
        if wechat_given
        else "The submission has no phone number."
    )
    return Rejection(RejectionCode.PHONE_EMPTY, "phone", message, "phone.required")


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

    phone_text = _given(raw.phone)
    wechat_text = _given(raw.wechat)
    email_given = bool(_given(raw.email))

    # The given phone: the lead's number, its extension and the other numbers of the field.
    check: PhoneCheck | None = None
    if len(phone_text) > limits.phone:
        violations.append(FieldViolation("phone", _too_long(limits.phone)))
    elif phone_text:
        check = normalise_phone(
            phone_text,
            default_region=rules.default_region,
            allow_landline=rules.allow_landline,
            allow_extension=rules.allow_extension,
            keep_alternates=rules.keep_alternate_phones,
            field="phone",
        )
        if check.rejection is not None:
            rejections.append(check.rejection)

    # The WeChat field: a WeChat ID, a mobile number, "same as my phone", or neither.
    wechat = ""
    wechat_field = WechatField()
    if len(wechat_text) > limits.wechat:
        violations.append(FieldViolation("wechat", _too_long(limits.wechat)))
    elif wechat_text:
        wechat_field = read_wechat(wechat_text, default_region=rules.default_region)
        if wechat_field.problem is not None:
            rejections.append(_wechat_rejection(wechat_field))
        elif wechat_field.phone is not None:
            wechat = wechat_field.phone.e164 or ""
        else:
            wechat = wechat_field.wechat_id
    wechat_phone = wechat_field.phone

    phone_from_wechat = False
    if not phone_text and wechat_phone is not None:
        check = wechat_phone
        phone_from_wechat = True
    phone = (check.e164 or "") if check is not None else ""
    if wechat_field.same_as_phone:
        if phone and check is not None and check.kind is PhoneKind.MOBILE:
            wechat = phone
        elif not phone_text:
            rejections.append(
                Rejection(
                    RejectionCode.WECHAT_INVALID,
                    "wechat",
                    "The WeChat field says the WeChat ID is the phone number, but no phone number was given.",
                    "wechat.same_as_missing_phone",
                )
            )
    alternates = check.alternates if check is not None and check.ok else ()

    # Content rules on the lead's number, and the blocklist on every other number the submission holds.
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
    rejections.extend(_blocklisted("phone", n) for n in alternates if n in rules.blocked_phones)
    if (
        wechat_phone is not None
        and wechat != phone
        and wechat not in alternates
        and wechat in rules.blocked_phones
    ):
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
        rejections.insert(0, _phone_required(bool(wechat_text)))

    # Sensitive words in what the person wrote: the name and the attribute values (one rejection per field).
    matcher = rules.sensitive_words
    if matcher is not None and len(matcher):
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
        phone_extension=check.extension if check is not None and phone else "",
        alternate_phones=alternates,
    )
    return Screening(contact=contact, rejections=rejections, violations=violations)


def _blocklisted(field_path: str, e164: str) -> Rejection:
    return Rejection(
        RejectionCode.BLOCKLISTED_PHONE,
        field_path,
        "The phone number is on the tenant's blocklist.",
        f"blocklist:{mask_phone(e164)}",
    )
