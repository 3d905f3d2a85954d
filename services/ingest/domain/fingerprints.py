"""Keyed hashes of a submission's normalised identities: what ingest sends to dedup instead of personal data.

Each tenant has its own key, derived from the service's master key:
``k_t = HMAC-SHA256(master, "leadflow/fingerprint/" + tenant_id)``; a fingerprint is
``HMAC-SHA256(k_t, dimension + ":" + normalised value)`` with dimension one of phone, wechat, email, ip, device.
Dedup only ever sees the 32-byte results; the master key stays in ingest. The same value therefore hashes
differently per tenant, so two tenants' indexes can never be joined.

The normalised values are: phone in E.164; WeChat id lower-cased (WeChat ids are case-insensitive); e-mail as its
dedup key (``normalisation.email_dedup_key``: lower-cased, and for gmail.com/googlemail.com the canonical mailbox
without dots and "+tags", so "zhang.san+ad1@gmail.com" and "zhangsan@gmail.com" are one person); IP in canonical
textual form; device id as normalised by the normalisation module. A lead's alternate phones (the other numbers of
its phone field) are extra PHONE fingerprints when asked for (``of_contact(..., alternate_phones=True)``).
"""

from __future__ import annotations

import hashlib
import hmac
import threading

from services.ingest.domain.model import Contact, Dimension
from services.ingest.domain.normalisation.identifiers import email_dedup_key

_KEY_CONTEXT = b"leadflow/fingerprint/"


class Fingerprinter:
    """Computes fingerprints; per-tenant keys are derived once and cached (thread-safe)."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) < 32:
            raise ValueError("the fingerprint master key must be at least 32 bytes")
        self._master = master_key
        self._keys: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def tenant_key(self, tenant_id: str) -> bytes:
        key = self._keys.get(tenant_id)
        if key is None:
            key = hmac.new(self._master, _KEY_CONTEXT + tenant_id.encode(), hashlib.sha256).digest()
            with self._lock:
                self._keys[tenant_id] = key
        return key

    def fingerprint(self, tenant_id: str, dimension: Dimension, value: str) -> bytes:
        message = f"{dimension.label}:{value}".encode()
        return hmac.new(self.tenant_key(tenant_id), message, hashlib.sha256).digest()

    def of_contact(
        self, tenant_id: str, contact: Contact, *, alternate_phones: bool = False
    ) -> tuple[tuple[Dimension, bytes], ...]:
        """One fingerprint per dimension the contact has a value for, in dimension order.

        With ``alternate_phones`` each of ``contact.alternate_phones`` (other than the lead's phone) adds one more
        PHONE fingerprint, right after the phone's, so that dedup matches a person on any number they gave. Off by
        default: dedup's ClaimLead takes at most one fingerprint per dimension until it accepts several.
        """
        values: list[tuple[Dimension, str]] = [(Dimension.PHONE, contact.phone)]
        if alternate_phones:
            values.extend(
                (Dimension.PHONE, alt)
                for alt in dict.fromkeys(contact.alternate_phones)
                if alt != contact.phone
            )
        values += [
            (Dimension.WECHAT, contact.wechat.lower()),
            (Dimension.EMAIL, email_dedup_key(contact.email)),
            (Dimension.IP, contact.ip),
            (Dimension.DEVICE, contact.device_id),
        ]
        return tuple((dim, self.fingerprint(tenant_id, dim, value)) for dim, value in values if value)

    def of_alternate_phones(self, tenant_id: str, contact: Contact) -> tuple[tuple[Dimension, bytes], ...]:
        """The PHONE fingerprints of ``contact.alternate_phones`` alone (other than the lead's phone), in order."""
        alternates = dict.fromkeys(a for a in contact.alternate_phones if a and a != contact.phone)
        return tuple((Dimension.PHONE, self.fingerprint(tenant_id, Dimension.PHONE, a)) for a in alternates)
