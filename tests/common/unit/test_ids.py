"""services.common.ids: the one ULID encoding gives, character for character, the ids the three loops it replaced
gave (ids already stored, and ids derived again from a replayed request, must not change), and sorts like its time."""

from __future__ import annotations

import hashlib
import hmac
import os
import random
from datetime import UTC, datetime

import pytest

from services.assign.handlers.ids import derived_id
from services.common.ids import CROCKFORD_ALPHABET, ULID_LENGTH, new_id, ulid_text
from services.ingest.domain.idempotency import candidate_lead_id


def _reference(millis: int, tail: bytes) -> str:
    """The loop services.common.ids, assign and ingest each had before (Crockford base32, 5 bits per character)."""
    value = ((max(0, millis) & ((1 << 48) - 1)) << 80) | int.from_bytes(tail, "big")
    return "".join(CROCKFORD_ALPHABET[(value >> shift) & 31] for shift in range(125, -1, -5))


EDGES = [
    (0, bytes(10)),
    (0, b"\xff" * 10),
    ((1 << 48) - 1, b"\xff" * 10),
    ((1 << 48) - 1, bytes(10)),
    (1_764_547_200_000, b"\x01" + bytes(9)),
    (1, bytes(9) + b"\x01"),
]


@pytest.mark.parametrize(("millis", "tail"), EDGES)
def test_edges_encode_as_before(millis: int, tail: bytes) -> None:
    assert ulid_text(millis, tail) == _reference(millis, tail)


def test_random_values_encode_as_before() -> None:
    rng = random.Random(20261201)
    for _ in range(20_000):
        millis, tail = rng.getrandbits(48), rng.randbytes(10)
        assert ulid_text(millis, tail) == _reference(millis, tail)


def test_shape_and_order() -> None:
    first, second = new_id(1_764_547_200_000), new_id(1_764_547_200_001)
    assert len(first) == ULID_LENGTH and set(first) <= set(CROCKFORD_ALPHABET)
    assert first < second  # the time part leads, so ids sort by time
    assert ulid_text(-5, bytes(10)) == "0" * ULID_LENGTH  # before the epoch counts as the epoch


def test_a_tail_of_another_length_is_refused() -> None:
    with pytest.raises(ValueError, match="10 bytes"):
        ulid_text(0, os.urandom(9))


def test_derived_ids_are_the_ones_stored_before() -> None:
    moment = datetime(2026, 12, 1, 4, 30, tzinfo=UTC)
    millis = int(moment.timestamp() * 1000)
    assert derived_id(moment, "call-7") == _reference(millis, hashlib.sha256(b"call-7").digest()[:10])
    key = b"k" * 32
    keyed = hmac.new(key, b"leadflow/ingest/lead-id\x00" + b"req-1", hashlib.sha256).digest()[:10]
    assert candidate_lead_id(key, "req-1", moment) == _reference(millis, keyed)
