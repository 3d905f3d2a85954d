"""Erasure (the PIPL right to deletion) in the services that consume ``lead.erased``: the port through which a use
case remembers an erased lead, and the redaction of free text. Pure Python; the SQL adapter is
``services.common.erasurestore``.

Why remember: a service's consumers are independent, so ``lead.erased`` may be handled before the lead's
``lead.accepted`` (or a redelivered older event) reaches the same service. Each such handler asks
``uow.erased.contains`` first and keeps the lead's personal data out. The record holds ids and a time only.
"""

from __future__ import annotations

import ipaddress
import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime

# What stands where erased text was.
REDACTED = "[erased]"

# Candidates: e-mail addresses, colon-separated hex (IPv6), dotted quads (IPv4), and digit runs with the separators
# people write numbers with. Each is checked before it is replaced (``_redacted``), so times and dates survive.
_CANDIDATE = re.compile(
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
    r"|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f.]*"
    r"|\+?\d[\d\s\-().]{4,}\d"
)
_DATE = re.compile(r"\d{4}([-./])\d{1,2}\1\d{1,2}")
MIN_DIGITS = 7  # the shortest phone number (a local landline); ID, bank-card and device numbers are longer


def _redacted(match: re.Match[str]) -> str:
    text = match.group(0)
    if "@" in text:
        return REDACTED
    candidate = text.strip("()")
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        pass
    else:
        return REDACTED
    if ":" in text or _DATE.fullmatch(text.strip()):
        return text
    return REDACTED if sum(ch.isdigit() for ch in text) >= MIN_DIGITS else text


def redact(text: str) -> str:
    """``text`` with every e-mail and IP address and every number of 7+ digits (a phone number in any common form,
    an ID card, a bank card, a device id) replaced by ``REDACTED``; dates, times and amounts stay. What an audit may
    keep of a free text about an erased person (the reason of a refund, an appeal)."""
    return _CANDIDATE.sub(_redacted, text)


class ErasedLeadRepository(ABC):
    """``uow.erased``: the leads of this service's tenants that were erased."""

    @abstractmethod
    def mark(self, tenant: str, lead_id: str, erase_time: datetime) -> bool:
        """Remember the lead as erased; False when it was already (the first erase time stays)."""

    @abstractmethod
    def contains(self, tenant: str, lead_id: str) -> bool: ...

    def contains_many(self, tenant: str, lead_ids: Sequence[str]) -> set[str]:
        """The ones of ``lead_ids`` that were erased (one statement in SQL): a consumer batch's ``contains``."""
        return {lead_id for lead_id in lead_ids if self.contains(tenant, lead_id)}
