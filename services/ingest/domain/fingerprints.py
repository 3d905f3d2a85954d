"""Keyed hashes of a submission's normalised identities: what ingest sends to dedup instead of personal data.

Each tenant has its own key, derived from the service's master key:
``k_t = HMAC-SHA256(master, "leadflow/fingerprint/" + tenant_id)``; a fingerprint is
``HMAC-SHA256(k_t, dimension + ":" + normalised value)`` with dimension one of phone, wechat, email, ip, device.
Dedup only ever sees the 32-byte results; the master key stays in ingest. The same value therefore hashes
differently per tenant, so two tenants' indexes can never be joined.

The normalised values are: phone in E.164; WeChat id lower-cased (WeChat ids are case-insensitive); e-mail
lower-cased; IP in canonical textual form; device id as normalised by the normalisation module.
"""

from __future__ import annotations

import hashlib
import hmac
import threading

from services.ingest.domain.model import Contact, Dimension

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

    def of_contact(self, tenant_id: str, contact: Contact) -> tuple[tuple[Dimension, bytes], ...]:
        """One fingerprint per dimension the contact has a value for, in dimension order."""
        values = (
            (Dimension.PHONE, contact.phone),
            (Dimension.WECHAT, contact.wechat.lower()),
            (Dimension.EMAIL, contact.email.lower()),
            (Dimension.IP, contact.ip),
            (Dimension.DEVICE, contact.device_id),
        )
        return tuple((dim, self.fingerprint(tenant_id, dim, value)) for dim, value in values if value)
