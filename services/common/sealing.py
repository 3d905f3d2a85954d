"""Envelope encryption of personal fields in event payloads (ARCHITECTURE §6): the JetStream store, kept for days and
replicated, holds no readable phone number, and only services given the key can read one.

Scheme, per value (``Sealer.seal``):
- a fresh 256-bit data key encrypts the UTF-8 text with AES-256-GCM (96-bit random nonce; NIST SP 800-38D);
- the data key is wrapped with AES-256-GCM under the tenant's key-encryption key, which is derived from the active
  master key by HKDF-SHA256 (RFC 5869) with the tenant id in ``info``, so every tenant has its own key without a key
  store, and one leaked tenant key opens nothing of another tenant;
- both encryptions authenticate ``leadflow/<tenant>/<purpose>`` as associated data, so a value sealed for one tenant
  or one field (``lead.phone``) cannot be replayed as another's.

``SealedValue.key_id`` names the master key. Rotation without downtime: give every reader the new key next to the
old (``LEADFLOW_PII_KEYS=new:...,old:...`` orders keys newest first; the first seals, all open), then the writers;
drop the old key once no stream still holds values sealed under it (the streams' max age).

Keys come from ``LEADFLOW_PII_KEYS`` (a Secret in Kubernetes): comma-separated ``<id>:<base64 of 32 bytes>``. A local
stack without it keeps one random key in ``<data dir>/pii.keys``. Services that must not read personal fields
(dedup, refund) are not given the variable and never load a key.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from services.common.config import ConfigError, Env

# The sealing purposes of the personal fields on the bus (bound into the associated data of each sealed value).
LEAD_PHONE = "lead.phone"
AGENT_PHONE = "agent.phone"

KEY_BYTES = 32
NONCE_BYTES = 12
VARIABLE = "LEADFLOW_PII_KEYS"


@dataclass(frozen=True)
class SealedValue:
    key_id: str
    wrapped_key: bytes = field(repr=False)
    ciphertext: bytes = field(repr=False)  # nonce, then ciphertext and tag


class SealingError(Exception):
    """A sealed value this service cannot open: unknown key id, another tenant's or field's value, or tampering.
    The message never carries the value."""


@dataclass(frozen=True)
class KeyRing:
    """Master keys by id; ``active`` seals, every key opens."""

    keys: Mapping[str, bytes]
    active: str

    def __post_init__(self) -> None:
        if self.active not in self.keys or any(len(k) != KEY_BYTES for k in self.keys.values()):
            raise ValueError("a key ring needs its active key and 32-byte keys")

    @classmethod
    def parse(cls, text: str, variable: str = VARIABLE) -> KeyRing:
        keys: dict[str, bytes] = {}
        order: list[str] = []
        for item in text.split(","):
            key_id, sep, encoded = item.strip().partition(":")
            if not sep or not key_id or len(key_id) > 64:
                raise ConfigError(variable, "must be comma-separated <id>:<base64 key> items")
            try:
                key = base64.b64decode(encoded, validate=True)
            except ValueError:
                raise ConfigError(variable, f"key {key_id!r} is not base64") from None
            if len(key) != KEY_BYTES:
                raise ConfigError(variable, f"key {key_id!r} must be {KEY_BYTES} bytes, got {len(key)}")
            if key_id in keys:
                raise ConfigError(variable, f"key id {key_id!r} appears twice")
            keys[key_id] = key
            order.append(key_id)
        return cls(keys, order[0])

    @classmethod
    def from_env(cls, env: Env, data_directory: Path) -> KeyRing:
        """``LEADFLOW_PII_KEYS``, or for a local run a key generated once per data directory."""
        text = env.raw(VARIABLE)
        if text is None:
            text = _local_key_ring(data_directory)
        return cls.parse(text)


def _local_key_ring(data_directory: Path) -> str:
    path = data_directory / "pii.keys"
    if not path.exists():
        data_directory.mkdir(parents=True, exist_ok=True)
        tmp = data_directory / f".pii.keys.{os.getpid()}"
        tmp.write_text("dev1:" + base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode())
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)  # fails if another process made the key first: all use the same one
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


def service_sealer(keys: KeyRing | None, data_directory: Path) -> Sealer:
    """The sealer of a service given ``keys`` (its settings' ``LEADFLOW_PII_KEYS``), or the local stack's key."""
    return Sealer(keys or KeyRing.from_env(Env(), data_directory))


class Sealer:
    def __init__(self, ring: KeyRing) -> None:
        self._ring = ring
        self._tenant_keys: dict[tuple[str, str], AESGCM] = {}

    def _kek(self, key_id: str, tenant: str) -> AESGCM:
        cached = self._tenant_keys.get((key_id, tenant))
        if cached is None:
            master = self._ring.keys.get(key_id)
            if master is None:
                raise SealingError(f"no key {key_id!r} to open this value")
            derived = HKDF(
                algorithm=hashes.SHA256(),
                length=KEY_BYTES,
                salt=None,
                info=b"leadflow/tenant-kek/" + tenant.encode(),
            ).derive(master)
            cached = self._tenant_keys[(key_id, tenant)] = AESGCM(derived)
        return cached

    def seal(self, tenant: str, purpose: str, text: str) -> SealedValue:
        aad = _aad(tenant, purpose)
        data_key = AESGCM.generate_key(bit_length=256)
        nonce, key_nonce = os.urandom(NONCE_BYTES), os.urandom(NONCE_BYTES)
        ciphertext = nonce + AESGCM(data_key).encrypt(nonce, text.encode(), aad)
        active = self._ring.active
        wrapped = key_nonce + self._kek(active, tenant).encrypt(key_nonce, data_key, aad)
        return SealedValue(active, wrapped, ciphertext)

    def open(self, tenant: str, purpose: str, sealed: SealedValue) -> str:
        """The text of a value sealed for ``tenant`` and ``purpose``; SealingError otherwise."""
        aad = _aad(tenant, purpose)
        try:
            kek = self._kek(sealed.key_id, tenant)
            wrapped = sealed.wrapped_key
            data_key = kek.decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], aad)
            body = sealed.ciphertext
            return AESGCM(data_key).decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], aad).decode()
        except (InvalidTag, ValueError) as exc:
            raise SealingError(
                f"a {purpose} value of tenant {tenant} does not open under key {sealed.key_id!r}"
            ) from exc


def _aad(tenant: str, purpose: str) -> bytes:
    return f"leadflow/{tenant}/{purpose}".encode()
