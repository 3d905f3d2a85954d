"""Sealing personal fields for the bus: only the right tenant, field and key open a value; keys rotate without
re-encrypting; bad key configuration names the variable."""

from __future__ import annotations

import base64
import dataclasses
import secrets
from pathlib import Path

import pytest

from services.common.config import ConfigError, Env
from services.common.sealing import KeyRing, Sealer, SealingError

PHONE = "+8613800138000"


def _key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def test_a_sealed_value_opens_for_its_tenant_and_purpose_only() -> None:
    sealer = Sealer(KeyRing.parse(f"k1:{_key()}"))
    sealed = sealer.seal("tenant-a", "lead.phone", PHONE)
    assert sealed.key_id == "k1"
    assert PHONE.encode() not in sealed.ciphertext + sealed.wrapped_key
    assert sealer.open("tenant-a", "lead.phone", sealed) == PHONE
    with pytest.raises(SealingError):
        sealer.open("tenant-b", "lead.phone", sealed)  # another tenant's key
    with pytest.raises(SealingError):
        sealer.open("tenant-a", "agent.phone", sealed)  # another field
    assert PHONE not in str(sealed)


def test_two_seals_of_one_value_differ_and_tampering_is_detected() -> None:
    sealer = Sealer(KeyRing.parse(f"k1:{_key()}"))
    first, second = sealer.seal("t", "lead.phone", PHONE), sealer.seal("t", "lead.phone", PHONE)
    assert first.ciphertext != second.ciphertext and first.wrapped_key != second.wrapped_key
    flipped = bytes([first.ciphertext[-1] ^ 1])
    with pytest.raises(SealingError):
        sealer.open("t", "lead.phone", dataclasses.replace(first, ciphertext=first.ciphertext[:-1] + flipped))


def test_rotation_opens_old_values_and_seals_with_the_newest_key() -> None:
    old, new = _key(), _key()
    before = Sealer(KeyRing.parse(f"k1:{old}")).seal("t", "lead.phone", PHONE)
    rotated = Sealer(KeyRing.parse(f"k2:{new},k1:{old}"))
    assert rotated.open("t", "lead.phone", before) == PHONE
    assert rotated.seal("t", "lead.phone", PHONE).key_id == "k2"
    with pytest.raises(SealingError, match="no key 'k2'"):
        Sealer(KeyRing.parse(f"k1:{old}")).open("t", "lead.phone", rotated.seal("t", "lead.phone", PHONE))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("k1", "comma-separated"),
        ("k1:not base64!", "not base64"),
        ("k1:" + base64.b64encode(b"short").decode(), "must be 32 bytes"),
        (f"k1:{'A' * 43}=,k1:{'A' * 43}=", "appears twice"),
    ],
)
def test_bad_key_rings_name_the_variable(text: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=f"LEADFLOW_PII_KEYS: .*{problem}"):
        KeyRing.parse(text)


def test_a_local_stack_shares_one_generated_key(tmp_path: Path) -> None:
    first = KeyRing.from_env(Env({}), tmp_path)
    second = KeyRing.from_env(Env({}), tmp_path)
    assert first == second and (tmp_path / "pii.keys").stat().st_mode & 0o777 == 0o600
    configured = KeyRing.from_env(Env({"LEADFLOW_PII_KEYS": f"prod1:{_key()}"}), tmp_path)
    assert configured.active == "prod1"
