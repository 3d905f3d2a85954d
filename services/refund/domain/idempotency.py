"""Idempotency keys (AIP-155 ``request_id``): the same key replays the first result, the same key with different
content fails with REQUEST_ID_REUSED.

A request is reduced to a fingerprint: SHA-256 over a canonical JSON of the operation name and the request's
content (never including the key itself). The store keeps, per (tenant, operation, request_id), the fingerprint
and the id of the first result, under a unique constraint, so two replicas racing on one key store one record.
Refund content holds no personal data, so a plain hash is enough (ingest keys its digests because submissions do).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from services.common.errors import ViolationCollector
from services.refund.domain.errors import RequestIdReused

MAX_REQUEST_ID_LENGTH = 64


def fingerprint(operation: str, content: Mapping[str, object]) -> str:
    """A hex SHA-256 of ``operation`` and ``content`` (JSON-serialisable values; others via ``str``)."""
    canonical = json.dumps([operation, content], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_request_id(errors: ViolationCollector, request_id: str, field: str = "request_id") -> None:
    """Add a violation unless ``request_id`` is 1..64 printable characters."""
    if not request_id:
        errors.add(field, "is required")
    elif len(request_id) > MAX_REQUEST_ID_LENGTH:
        errors.add(field, f"must be at most {MAX_REQUEST_ID_LENGTH} characters")
    elif not request_id.isprintable():
        errors.add(field, "must not contain control characters")


@dataclass(frozen=True)
class IdempotencyRecord:
    """What the store remembers of the first request under a key: its fingerprint and the id of its result."""

    operation: str
    request_id: str
    fingerprint: str
    result_id: str


def replay(record: IdempotencyRecord | None, request_fingerprint: str) -> str | None:
    """The first result's id when ``record`` exists with the same fingerprint; None when the key is new.

    Raises RequestIdReused when the key was used with different content.
    """
    if record is None:
        return None
    if record.fingerprint != request_fingerprint:
        raise RequestIdReused(
            f"request_id {record.request_id!r} was used for a different {record.operation} request",
            metadata={"request_id": record.request_id},
        )
    return record.result_id
