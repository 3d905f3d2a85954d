"""Phone fields: find the number(s) a person or a spreadsheet put into one field, and the lead's phone among them.

``normalise_phone`` reads the field with ``phone_text.read_phone_cell`` (cleaning, spreadsheet artefacts, labels,
extension markers, list separators) and judges each candidate with ``phone_numbers.check_number`` (phonenumbers plus
the allocated-prefix overlay). Which characters make one number and which several is decided with the library's
validity as the judge, in this order, for each piece of the cell:

1. The whole piece, if it is one valid number ("0755/12345678", "138 0013 8000", "17951 13800138000").
2. An extension after a marker: "0755-12345678转8001", "13800138000 ext 12", "13800138000#12" (1 to 6 digits; 7 or
   more digits after a marker are a second number when valid, else the extension is unreadable:
   ``phone.extension_unreadable``).
3. An extension after a dash, when the part before it is a valid number and the whole is not:
   "13512345678-9100" (e-commerce privacy numbers with 分机号), "0755-12345678-8001".
4. Several numbers separated by "," or "/" ("13800138000,13900139000", "13800138000 / 13900139000"); after a ","
   a group of 1 to 6 digits is the extension of the number before it ("13512345678,9100": a phone's pause-dial).
5. Several numbers separated only by spaces ("13800138000 13900139000"), when every group of the piece belongs to
   a valid number.

The first *usable* number (valid, and allowed by the tenant's rules: landlines, extensions) is the lead's phone;
the other usable ones are its ``alternates`` (when the tenant keeps them). Candidates that are not numbers are
dropped once a usable number exists. With no usable number, the rejection is that of the first valid number a rule
refused (its E.164 kept for the audit), else that of the first candidate, saying how many there were.
"""

from __future__ import annotations

import re
from dataclasses import replace

import phonenumbers

from services.ingest.domain.normalisation.errors import Rejection, RejectionCode
from services.ingest.domain.normalisation.phone_numbers import PhoneCheck, PhoneKind, check_number, rejected
from services.ingest.domain.normalisation.phone_text import read_phone_cell

__all__ = ["PhoneCheck", "PhoneKind", "is_known_region", "mobile_check", "normalise_phone"]

_KIND_WORDS: dict[PhoneKind, str] = {
    PhoneKind.MOBILE: "a mobile",
    PhoneKind.LANDLINE: "a landline",
    PhoneKind.VOIP: "a VoIP",
    PhoneKind.TOLL_FREE: "a toll-free",
    PhoneKind.OTHER: "a special-service",
}
_EXTENSION = re.compile(r"[0-9]{1,6}")
_SEPARATOR = re.compile(r"\s*([,/])\s*")
_PART_JUNK = " -.,:"
_DASH_EXTENSION = re.compile(r"(.*[0-9)])\s*-\s*([0-9]{1,6})")
_NOT_DIGITS = re.compile(r"[^0-9]")
_MAX_SPLIT_GROUPS = 12  # with _MAX_NUMBER_DIGITS, bounds the parses of step 5's greedy split
_MAX_NUMBER_DIGITS = (
    17  # the most digits phonenumbers reads as one number (E.164's 15, an IDD prefix, a trunk 0)
)
_MAX_PIECES = 8
# The shortest Chinese local number: fewer digits after a "/" are not a number of their own.
_MIN_NUMBER_DIGITS = 7


class _Found:
    """What one piece of a cell yielded: valid numbers (each maybe with its extension) and failed candidates."""

    __slots__ = ("failures", "numbers")

    def __init__(self) -> None:
        self.numbers: list[PhoneCheck] = []
        self.failures: list[PhoneCheck] = []

    def take(self, other: _Found) -> None:
        self.numbers.extend(other.numbers)
        self.failures.extend(other.failures)


def _single(text: str, region: str, field: str) -> _Found:
    """Steps 1, 3, 4 ("/") and 5 for a text without "," and "#"."""
    found = _Found()
    whole = check_number(text, default_region=region, field=field)
    if whole.ok:
        found.numbers.append(whole)
        return found
    dash = _DASH_EXTENSION.fullmatch(text)
    if dash is not None:
        head = check_number(dash.group(1), default_region=region, field=field)
        if head.ok:
            found.numbers.append(replace(head, extension=dash.group(2)))
            return found
    if "/" in text:
        parts = [part.strip(" -.") for part in text.split("/") if part.strip(" -.")]
        for part in parts:
            found.take(_single(part, region, field))
        if found.numbers or all(len(_NOT_DIGITS.sub("", part)) >= _MIN_NUMBER_DIGITS for part in parts):
            # Every part looks like a number of its own: report them one by one, not as one long number.
            return found
        found = _Found()
    groups = text.split()
    if 1 < len(groups) <= _MAX_SPLIT_GROUPS:
        numbers = _split_at_spaces(groups, region, field)
        if numbers:
            found.numbers.extend(numbers)
            return found
    found.failures.append(whole)
    return found


def _split_at_spaces(groups: list[str], region: str, field: str) -> list[PhoneCheck]:
    """Greedy: the shortest run of groups that is a valid number, then the next; [] unless every group is used."""
    numbers: list[PhoneCheck] = []
    start = 0
    while start < len(groups):
        digits = 0
        for end in range(start + 1, len(groups) + 1):
            digits += len(_NOT_DIGITS.sub("", groups[end - 1]))
            if digits > _MAX_NUMBER_DIGITS:
                return []
            check = check_number(" ".join(groups[start:end]), default_region=region, field=field)
            if check.ok:
                numbers.append(check)
                start = end
                break
        else:
            return []
    return numbers if len(numbers) > 1 else []


def _separated(text: str, region: str, field: str) -> _Found:
    """Step 4: numbers separated by "," (and "/" when extensions are about), a group of 1 to 6 digits after a
    comma being the extension of the number before it."""
    found = _Found()
    for separator, part in _parts(text):
        if not part:
            continue
        if (
            separator == ","
            and _EXTENSION.fullmatch(part)
            and found.numbers
            and not found.numbers[-1].extension
        ):
            found.numbers[-1] = replace(found.numbers[-1], extension=part)
            continue
        found.take(_piece(part, region, field))
    return found


def _parts(text: str) -> list[tuple[str, str]]:
    """(separator before, part) for each part of ``text`` between "," and "/" ("" before the first)."""
    tokens = _SEPARATOR.split(text)
    parts = [("", tokens[0].strip(_PART_JUNK))]
    parts += [(tokens[i], tokens[i + 1].strip(_PART_JUNK)) for i in range(1, len(tokens) - 1, 2)]
    return parts


def _piece(text: str, region: str, field: str) -> _Found:
    """Every number of one piece (steps 1 to 5)."""
    base, marker, tail = text.partition("#")
    if not marker:
        return _separated(text, region, field) if "," in text else _single(text, region, field)
    extension = tail.strip(_PART_JUNK)
    if _SEPARATOR.search(text) and not _EXTENSION.fullmatch(extension):
        # "0755-12345678转8001 / 13800138000": the extension ends where the next number starts.
        return _separated(text, region, field)
    found = _piece(base.strip(_PART_JUNK), region, field)
    if not extension or not found.numbers:
        return found
    if _EXTENSION.fullmatch(extension) and not found.numbers[-1].extension:
        found.numbers[-1] = replace(found.numbers[-1], extension=extension)
        return found
    second = _piece(extension, region, field) if "#" not in extension else _Found()
    if second.numbers and len(_NOT_DIGITS.sub("", extension)) > 6:
        found.take(second)
        return found
    found.failures.append(
        rejected(
            "phone.extension_unreadable",
            "The phone number is followed by an extension marker (转, 分机, ext or #), but not by an extension "
            "of 1 to 6 digits.",
            field,
        )
    )
    found.numbers.pop()
    return found


def _apply_rules(check: PhoneCheck, *, allow_landline: bool, allow_extension: bool, field: str) -> PhoneCheck:
    if not allow_landline and check.kind is not PhoneKind.MOBILE:
        kind = check.kind or PhoneKind.OTHER
        return replace(
            check,
            rejection=Rejection(
                RejectionCode.PHONE_LANDLINE_NOT_ALLOWED,
                field,
                f"The phone number is {_KIND_WORDS[kind]} number and only mobile numbers are accepted.",
                "phone.mobile_only",
            ),
        )
    if check.extension and not allow_extension:
        return replace(
            check,
            rejection=Rejection(
                RejectionCode.PHONE_INVALID,
                field,
                "The phone number has an extension (分机号), and only numbers that can be dialled directly are "
                "accepted.",
                "phone.extension_not_accepted",
            ),
        )
    return check


def is_known_region(region: str) -> bool:
    """Whether ``region`` (ISO 3166-1 alpha-2, upper case) is a region the phone number library can read numbers
    of; only such a region can be a tenant's default region."""
    return region in phonenumbers.SUPPORTED_REGIONS


def normalise_phone(
    raw: str,
    *,
    default_region: str = "CN",
    allow_landline: bool = True,
    allow_extension: bool = True,
    keep_alternates: bool = True,
    field: str = "phone",
) -> PhoneCheck:
    """Read a phone field, validate and classify its number(s); see the module docstring for the rules.

    ``default_region`` (ISO 3166 alpha-2) is the country of numbers written without a country code.
    ``allow_landline=False`` means *mobile numbers only*: every valid number of another kind (landline, 400/800,
    VoIP) is refused with PHONE_LANDLINE_NOT_ALLOWED (rule ``phone.mobile_only``). ``allow_extension=False`` refuses
    a number with an extension (PHONE_INVALID, rule ``phone.extension_not_accepted``). ``keep_alternates=False``
    drops the other numbers of the field instead of returning them as ``alternates``. ``field`` is the request field
    path put into the rejection. Never raises for any text; rejections never contain the number.
    """
    cell = read_phone_cell(raw)
    if cell.empty:
        return PhoneCheck(
            None,
            None,
            None,
            "",
            "",
            "",
            Rejection(RejectionCode.PHONE_EMPTY, field, "No phone number was given.", "phone.empty"),
        )
    if cell.problem is not None:
        return rejected(cell.problem.rule, cell.problem.message, field)

    region = default_region.upper()
    found = _Found()
    for piece in cell.pieces[:_MAX_PIECES]:
        if piece.problem is not None:
            found.failures.append(rejected(piece.problem.rule, piece.problem.message, field))
        else:
            found.take(_piece(piece.text, region, field))

    judged = [
        _apply_rules(n, allow_landline=allow_landline, allow_extension=allow_extension, field=field)
        for n in found.numbers
    ]
    usable = [n for n in judged if n.ok]
    if usable:
        lead = usable[0]
        if len(usable) == 1 or not keep_alternates:
            return lead
        alternates = dict.fromkeys(n.e164 for n in usable[1:] if n.e164 and n.e164 != lead.e164)
        return replace(lead, alternates=tuple(alternates))
    if judged:
        return judged[0]
    first = found.failures[0]
    if len(found.failures) > 1 and first.rejection is not None:
        message = (
            f"None of the {len(found.failures)} numbers in the phone field is valid; "
            f"the first: {first.rejection.message}"
        )
        return replace(first, rejection=replace(first.rejection, message=message))
    return first


def mobile_check(raw: str, *, default_region: str, field: str) -> PhoneCheck | None:
    """The ``PhoneCheck`` of the first valid *mobile* number without extension in ``raw``, without alternates;
    None when there is none (how a WeChat field holding a phone number is recognised)."""
    check = normalise_phone(
        raw, default_region=default_region, allow_landline=False, allow_extension=False, field=field
    )
    return replace(check, alternates=()) if check.ok else None
