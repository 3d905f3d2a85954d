"""IP addresses, device identifiers and e-mail addresses: one canonical form each, so that dedup's keyed hashes
of the same value are equal. Each function raises ``InvalidValue`` (without the value in its message) when the
input is structurally not such a value; ``screen_contact`` turns that into a field violation.
"""

from __future__ import annotations

import ipaddress
import re

from services.ingest.domain.normalisation.cleaning import clean_contact_value, is_placeholder
from services.ingest.domain.normalisation.errors import InvalidValue

# --- IP addresses --------------------------------------------------------------------------------------------


def normalise_ip(raw: str) -> str:
    """The canonical text of an IPv4 or IPv6 address.

    IPv4 in dotted decimal (leading zeros are refused, as ``ipaddress`` does, because "010" is octal to some
    parsers); IPv6 in RFC 5952 compressed lower-case form; an IPv4-mapped IPv6 address ("::ffff:1.2.3.4", what a
    dual-stack socket reports for an IPv4 client) becomes the IPv4 address. Refused: ports, brackets, CIDR
    prefixes, lists ("1.2.3.4, 5.6.7.8"), and zoned IPv6 addresses ("fe80::1%eth0"), whose zone means nothing
    outside the host that saw it.
    """
    text = raw.strip()
    if not text:
        raise InvalidValue("is empty")
    if "%" in text:
        raise InvalidValue("is a zoned IPv6 address; a zone index has no meaning for a client address")
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        raise InvalidValue("is not an IPv4 or IPv6 address") from None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return address.compressed


# --- Device identifiers --------------------------------------------------------------------------------------

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_DIGITS_WITH_SEPARATORS = re.compile(r"[0-9]+(?:[ ./-][0-9]+)+")
_HEX = re.compile(r"[0-9a-fA-F]+")
_NON_DIGITS = re.compile(r"[^0-9]")
_ALLOWED_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_PLACEHOLDERS = frozenset({"null", "(null)", "nil", "none", "undefined", "unknown", "n/a", "na", "-", "0"})
_IMEI_LENGTHS = frozenset({14, 15, 16, 18})  # IMEI without/with check digit, IMEISV, decimal MEID
_DIGEST_LENGTHS = frozenset({32, 40, 64})  # MD5, SHA-1, SHA-256 hex (ad platforms send hashed IMEI/OAID/IDFA)


def normalise_device_id(raw: str) -> str:
    """The canonical form of a device identifier, or "" when the value is a placeholder meaning *no id*.

    * UUID-form ids (IDFA, IDFV, Huawei OAID): lower-case canonical UUID.
    * IMEI / IMEISV / decimal MEID written with separators ("35-209900-176148-1", "35 209900 176148 1"): digits
      only. The check digit is not verified: fake and test IMEIs are common in ad traffic and are a content
      question, not a structural one.
    * Hex MEID (14 hex characters with a letter): upper case, as printed on devices.
    * Hex digests of 32, 40 or 64 characters (hashed IMEI/OAID/IDFA): lower case.
    * Placeholders that SDKs send when no id is available ("00000000-0000-0000-0000-000000000000" for a
      limit-ad-tracking IDFA, all-zero IMEIs, "null", "unknown", ...) return "": deduplicating on them would
      merge unrelated people.
    * Anything else is kept as is when it is 1–128 characters of ``[A-Za-z0-9._:-]`` (Android ID, MAC, vendor
      OAIDs); otherwise InvalidValue.
    """
    text = raw.strip()
    if not text:
        raise InvalidValue("is empty")
    if text.lower() in _PLACEHOLDERS:
        return ""
    if len(text) == 36 and _UUID.fullmatch(text):
        value = text.lower()
    elif (
        _DIGITS_WITH_SEPARATORS.fullmatch(text) and len(digits := _NON_DIGITS.sub("", text)) in _IMEI_LENGTHS
    ):
        value = digits
    elif len(text) == 14 and _HEX.fullmatch(text) and not text.isdigit():
        value = text.upper()
    elif len(text) in _DIGEST_LENGTHS and _HEX.fullmatch(text):
        value = text.lower()
    elif _ALLOWED_ID.fullmatch(text):
        value = text
    else:
        raise InvalidValue("must be 1 to 128 characters of letters, digits, '.', '_', ':' and '-'")
    if not value.strip("0-:."):
        return ""
    return value


# --- E-mail addresses ----------------------------------------------------------------------------------------

# RFC 5322 dot-atom local part; atext extended with non-ASCII characters as RFC 6531 (SMTPUTF8) allows.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-\u00a0-\U0010ffff]"
_LOCAL_PART = re.compile(rf"{_ATEXT}+(?:\.{_ATEXT}+)*")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_MAX_LOCAL = 64  # RFC 5321 §4.5.3.1.1
_MAX_DOMAIN = 253  # RFC 1035 §2.3.4, without the trailing dot
_MAX_ADDRESS = 254  # RFC 5321 path limit less the angle brackets
_EMAIL_LABEL = re.compile(r"^(?:mailto|e-?mail|邮箱|电子邮箱|邮件)\s*:\s*", re.IGNORECASE)


def normalise_email(raw: str) -> str:
    """A lower-cased ``local@domain`` address with its domain in ASCII (IDNA A-labels), or "" when the field holds
    nothing (a placeholder such as "无" or "none" included).

    Steps: ``cleaning.clean_contact_value`` (invisible characters such as a BOM or U+200B removed; NFKC, so the
    full-width "１２３＠ｑｑ．ｃｏｍ" typed with a Chinese IME becomes "123@qq.com"); a leading "mailto:" or label
    ("邮箱：", "E-mail:") dropped; split at the last "@"; the domain is IDNA-encoded ("例子.中国" →
    "xn--fsqu00a.xn--fiqs8s", "。" is a dot) and must be at least two LDH labels with an alphabetic top-level label
    (no "localhost", no IP literals); the local part must be an RFC 5322 dot-atom (no quoted strings, comments or
    spaces: forms never collect those), at most 64 characters. The whole address is lower-cased, local part
    included, as the API documents (``Lead.email``). This is the address stored; which addresses are one person
    is ``email_dedup_key``'s business.
    """
    text = clean_contact_value(raw)
    if not text or is_placeholder(text):
        return ""
    text = _EMAIL_LABEL.sub("", text, count=1).strip()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise InvalidValue("is not an e-mail address: it needs the form local@domain")
    if len(local) > _MAX_LOCAL or not local.isprintable() or not _LOCAL_PART.fullmatch(local):
        raise InvalidValue("is not a valid e-mail address: the part before '@' is malformed")
    try:
        ascii_domain = domain.rstrip(".\u3002").encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise InvalidValue("is not a valid e-mail address: the domain is malformed") from None
    labels = ascii_domain.split(".")
    if (
        len(ascii_domain) > _MAX_DOMAIN
        or len(labels) < 2
        or not all(_LABEL.fullmatch(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise InvalidValue("is not a valid e-mail address: the domain is malformed")
    address = f"{local.lower()}@{ascii_domain}"
    if len(address) > _MAX_ADDRESS:
        raise InvalidValue(f"is longer than {_MAX_ADDRESS} characters")
    return address


# Providers that deliver "zhang.san+ad1@gmail.com" to "zhangsan@gmail.com": Gmail ignores dots in the username
# and everything from a "+" on (https://support.google.com/mail/answer/7436150, "Dots don't matter in Gmail
# addresses"; https://support.google.com/a/users/answer/9308648, "+" aliases), and googlemail.com is the same
# service under its older name (https://support.google.com/mail/answer/10313).
_GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def email_dedup_key(address: str) -> str:
    """The mailbox an address delivers to, for deduplication only (never stored, never shown).

    For gmail.com and googlemail.com: the username without dots and without a "+tag", at gmail.com
    ("Zhang.San+ad1@googlemail.com" → "zhangsan@gmail.com"). Every other domain: the address lower-cased, nothing
    else (other providers' rules differ, and a wrong merge is worse than a missed one). "" for "". ``address`` is
    a normalised address (``normalise_email``); the function does not validate it.
    """
    lowered = address.strip().lower()
    local, at, domain = lowered.rpartition("@")
    if not at or domain not in _GMAIL_DOMAINS:
        return lowered
    username = local.split("+", 1)[0].replace(".", "")
    return f"{username or local}@gmail.com"
