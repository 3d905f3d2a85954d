"""Rejection codes and the two exceptions of the normalisation package.

Two kinds of failure, kept apart on purpose:

* ``InvalidValue`` / ``TextTooLong`` are *structural*: the request itself is malformed (an IP that is not an IP,
  a name longer than its limit). ``screen_contact`` turns them into ``FieldViolation``s and the API answers
  INVALID_ARGUMENT; nothing is stored.
* ``Rejection`` is a *content* verdict on a well-formed submission (空错停: empty, wrong, dead numbers, blocklisted
  numbers, sensitive words). The lead is REJECTED with every reason, stored for audit and never forwarded.

Neither ever carries the raw personal value that failed (architecture §6): messages name the rule, and where a
number must be shown it is masked with ``services.common.pii``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RejectionCode(StrEnum):
    """Why a well-formed submission is rejected. Values are the UPPER_SNAKE names themselves.

    Mapping to ``leadflow.ingest.v1.RejectionCode`` is ``"REJECTION_CODE_" + value`` except ``CONTACT_EMPTY``,
    which the proto calls ``REJECTION_CODE_CONTACT_MISSING``.
    """

    CONTACT_EMPTY = "CONTACT_EMPTY"
    """No phone, no WeChat ID and no e-mail address at all."""
    PHONE_EMPTY = "PHONE_EMPTY"
    """No phone (nor a WeChat ID that is a mobile number) although the rules require one."""
    PHONE_INVALID = "PHONE_INVALID"
    """No usable number in the phone field; ``rule`` says what is wrong with what was sent:
    ``phone.not_a_number`` (letters, symbols, Chinese text between digits, no digits), ``phone.too_short`` /
    ``phone.too_long`` / ``phone.invalid_length`` (digit count), ``phone.invalid_country_code``,
    ``phone.unallocated`` (no such number range; the allocated-prefix overlay is consulted first),
    ``phone.scientific_notation`` (a spreadsheet cut the digits off), ``phone.masked`` (digits replaced by "*"),
    ``phone.extension_unreadable`` (an extension marker without a 1-6 digit extension), and, as a tenant rule on a
    valid number, ``phone.extension_not_accepted``."""
    PHONE_LANDLINE_NOT_ALLOWED = "PHONE_LANDLINE_NOT_ALLOWED"
    """A valid number that is not a mobile, for rules that accept mobiles only."""
    PHONE_DEAD_NUMBER = "PHONE_DEAD_NUMBER"
    """A number already proved empty (空号) or suspended (停机)."""
    WECHAT_INVALID = "WECHAT_INVALID"
    """A WeChat field that is neither a WeChat ID nor one mobile number; ``rule`` says what is wrong with it:
    ``wechat.too_short`` / ``wechat.too_long`` (length), ``wechat.invalid_character`` (spaces, dots, "@" ...),
    ``wechat.chinese_text``, ``wechat.starts_with_digit``, ``wechat.not_a_mobile`` (digits that are not one valid
    mobile number)."""
    BLOCKLISTED_PHONE = "BLOCKLISTED_PHONE"
    """The number is on the tenant's blocklist; ``rule`` names the (masked) entry."""
    SENSITIVE_WORD = "SENSITIVE_WORD"
    """The name or an attribute value contains a tenant keyword; ``rule`` is the keyword as configured."""


@dataclass(frozen=True)
class Rejection:
    """One failed content rule.

    ``field`` is the request field path ("phone", "wechat", "name", ``attributes["remark"]``; empty for
    CONTACT_EMPTY, which concerns the submission as a whole). ``message`` is an English sentence that says what
    was wrong with what was sent (its digit count, the characters it holds, what a spreadsheet did to it), never a
    rule that did not apply; ``rule`` is a stable rule name ("phone.too_short", "blocklist:138****8000", or the
    matched keyword). Neither contains a raw phone number or WeChat ID.
    """

    code: RejectionCode
    field: str
    message: str
    rule: str = ""


class InvalidValue(ValueError):
    """A value that is structurally not what the field holds (not an IP, not an e-mail address, ...).

    The message describes the problem ("is not an IPv4 or IPv6 address") and never repeats the value, so it can go
    into a ``FieldViolation`` and a log line as it is.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TextTooLong(ValueError):
    """A text that is still longer than ``max_length`` characters (code points) after cleaning."""

    def __init__(self, max_length: int, length: int | None = None) -> None:
        self.max_length = max_length
        self.length = length
        message = f"must be at most {max_length} characters"
        if length is not None:
            message += f" after cleaning, got {length}"
        super().__init__(message)
        self.message = message
