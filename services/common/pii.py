"""Masking of personal data (phones, WeChat IDs, emails, IPs, device ids) for logs and error messages.

Code should never put raw personal data in a log or an error; ``scrub`` is the safety net the JSON log
formatter applies to every message and field, in case something slips through.
"""

from __future__ import annotations

import re

# Runs of 7+ digits, optionally with a leading + and separators, cover mobile and landline numbers in any format.
_PHONE_RE = re.compile(r"(?<![\w])\+?\d[\d\s\-]{5,}\d(?![\w])")
_EMAIL_RE = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_IPV4_RE = re.compile(r"\b(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\b")
_IPV6_RE = re.compile(r"\b(?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{1,4}\b")


def mask_phone(value: str) -> str:
    """138****8000 style: keep the first three and last four digits of 11 or more, two and two of 8 to 10, one and
    two of 7, none of fewer; at least four digits are always hidden."""
    digits = re.sub(r"\D", "", value)
    # A Chinese mobile with its country code shows the familiar 138****8000 rather than 861****8000.
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    # A mask hides at least four digits: a 7-digit number (a short landline, Luxembourg's +352 3000) kept 2 + 2
    # and showed four of its seven.
    if len(digits) >= 11:
        return digits[:3] + "****" + digits[-4:]
    if len(digits) >= 8:
        return digits[:2] + "****" + digits[-2:]
    if len(digits) == 7:
        return digits[:1] + "****" + digits[-2:]
    return "****"


def mask_identifier(value: str) -> str:
    """WeChat ids, device ids and other opaque personal identifiers: first and last character only."""
    if len(value) <= 2:
        return "**"
    return value[0] + "****" + value[-1]


def mask_ip(value: str) -> str:
    if ":" in value:
        head = value.split(":")[0]
        return f"{head}:****"
    parts = value.split(".")
    return f"{parts[0]}.{parts[1]}.*.*" if len(parts) == 4 else "****"


def scrub(text: str) -> str:
    """Mask anything in free text that looks like a phone number, email or IP address."""
    text = _EMAIL_RE.sub(lambda m: f"{m.group(1)}****@{m.group(2)}", text)
    text = _IPV6_RE.sub(lambda m: mask_ip(m.group(0)), text)
    text = _IPV4_RE.sub(lambda m: f"{m.group(1)}.{m.group(2)}.*.*", text)
    return _PHONE_RE.sub(lambda m: mask_phone(m.group(0)), text)
