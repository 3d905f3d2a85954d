"""Claim commands: validation, the idempotency fingerprint of a request, and the reasons ExplainLead gives.

Dedup receives only keyed hashes (HMAC-SHA256 of a normalised value under a key it never sees): exactly 32 bytes
per fingerprint, otherwise INVALID_ARGUMENT on ``fingerprints[i].keyed_hash``. Nothing here ever holds a raw phone
number, WeChat id, e-mail, IP address or device id.

``collect_account_id`` (optional) is the lead-collection account when it differs from the ad account
``account_id``: the claim is matched and recorded in the key spaces of both accounts (each under its own effective
policy), so that the same person later submitted under either account resolves to the same lead. The action
reported for a duplicate is that of ``account_id``'s policy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.common.errors import FailedPrecondition, NotFound, ViolationCollector
from services.common.validation import check_account_id, check_identifier
from services.dedup.domain.model import (
    KEY_HASH_BYTES,
    Action,
    ClaimResult,
    Dimension,
    Fingerprint,
    KeyOrigin,
    Match,
    Verdict,
)

MAX_REQUEST_ID_LENGTH = 64
MAX_LEAD_ID_LENGTH = 128
MAX_BATCH = 500
MAX_PER_DIMENSION = 5  # a person may give several phone numbers in one field (ingest's alternate phones)
MAX_FINGERPRINTS = 16


@dataclass(frozen=True)
class ClaimCommand:
    """A ClaimLead request as plain values; dimensions are the numbers the caller sent, not yet validated."""

    account_id: str
    candidate_lead_id: str
    fingerprints: tuple[tuple[int, bytes], ...]
    submit_time: datetime | None
    request_id: str
    collect_account_id: str = ""


@dataclass(frozen=True)
class Claim:
    """A validated claim: fingerprints in canonical order (by dimension), submit_time set."""

    account_id: str
    collect_account_id: str
    candidate_lead_id: str
    fingerprints: tuple[Fingerprint, ...]
    submit_time: datetime
    request_id: str

    def digest(self) -> bytes:
        """SHA-256 of everything but the request id: a retry with the same request id must carry the same claim.

        It is computed over the keyed hashes (already one-way), never over raw values.
        """
        hasher = hashlib.sha256()
        for part in (
            self.account_id,
            self.collect_account_id,
            self.candidate_lead_id,
            self.submit_time.isoformat(),
        ):
            hasher.update(part.encode())
            hasher.update(b"\x00")
        for fingerprint in self.fingerprints:
            hasher.update(bytes([fingerprint.dimension]))
            hasher.update(fingerprint.keyed_hash)
        return hasher.digest()


def validate_claim(command: ClaimCommand, now: datetime) -> Claim:
    """Check a claim; field paths are relative to the ClaimLeadRequest (or batch item).

    An unset submit_time means "now" (the server's clock).
    """
    errors = ViolationCollector()
    check_account_id(errors, "account_id", command.account_id)
    if command.collect_account_id:
        check_account_id(errors, "collect_account_id", command.collect_account_id)
    check_identifier(
        errors, "candidate_lead_id", command.candidate_lead_id, MAX_LEAD_ID_LENGTH, required=True
    )
    check_identifier(errors, "request_id", command.request_id, MAX_REQUEST_ID_LENGTH, required=True)
    seen: dict[tuple[Dimension, bytes], Fingerprint] = {}
    per_dimension: dict[Dimension, int] = {}
    if len(command.fingerprints) > MAX_FINGERPRINTS:
        errors.add(
            "fingerprints",
            f"must hold at most {MAX_FINGERPRINTS} fingerprints, got {len(command.fingerprints)}",
        )
    for index, (value, keyed_hash) in enumerate(command.fingerprints):
        try:
            dimension = Dimension(value)
        except ValueError:
            errors.add(f"fingerprints[{index}].dimension", "must be a DEDUP_DIMENSION other than UNSPECIFIED")
            continue
        if (dimension, keyed_hash) in seen:
            continue  # the same fingerprint twice is one fingerprint
        per_dimension[dimension] = per_dimension.get(dimension, 0) + 1
        if per_dimension[dimension] > MAX_PER_DIMENSION:
            errors.add(
                f"fingerprints[{index}].dimension",
                f"repeats {dimension.name}: at most {MAX_PER_DIMENSION} fingerprints per dimension",
            )
        if len(keyed_hash) != KEY_HASH_BYTES:
            errors.add(
                f"fingerprints[{index}].keyed_hash",
                f"must be exactly {KEY_HASH_BYTES} bytes (HMAC-SHA256 of the normalised value), got "
                f"{len(keyed_hash)}",
            )
            continue
        seen[(dimension, keyed_hash)] = Fingerprint(dimension, keyed_hash)
    errors.raise_if_any()
    collect = command.collect_account_id if command.collect_account_id != command.account_id else ""
    return Claim(
        account_id=command.account_id,
        collect_account_id=collect,
        candidate_lead_id=command.candidate_lead_id,
        fingerprints=tuple(seen[key] for key in sorted(seen)),
        submit_time=command.submit_time or now,
        request_id=command.request_id,
    )


class RequestIdReused(FailedPrecondition):
    """The request id (or candidate lead id) was used before for a different claim (AIP-155)."""

    reason = "REQUEST_ID_REUSED"

    def __init__(self, field: str) -> None:
        super().__init__(
            f"{field} was already used for a claim with different content; use a new {field} for a new claim",
            metadata={"field": field},
        )


class LeadNotFound(NotFound):
    reason = "LEAD_NOT_FOUND"

    def __init__(self, lead_id: str) -> None:
        super().__init__(f"lead {lead_id} is not known to dedup", metadata={"lead_id": lead_id})


def check_lead_id(lead_id: str) -> None:
    """INVALID_ARGUMENT ``lead_id`` unless it is a well-formed lead id."""
    errors = ViolationCollector()
    check_identifier(errors, "lead_id", lead_id, MAX_LEAD_ID_LENGTH, required=True)
    errors.raise_if_any()


def explain_reason(origin: KeyOrigin, origin_lead_id: str) -> str:
    """Why a key points at its lead, in English (no personal data: lead ids only)."""
    if origin is KeyOrigin.CLAIMED:
        return "first claimed by this lead"
    if origin is KeyOrigin.ATTACHED:
        return f"brought by duplicate submission {origin_lead_id} and attached to this lead"
    if origin is KeyOrigin.RETURNING:
        return f"moved to this returning lead from lead {origin_lead_id} after that lead's window expired"
    if origin is KeyOrigin.MOVED:
        return (
            f"moved to this lead from lead {origin_lead_id} after that lead's window expired, by a duplicate "
            "submission of this lead"
        )
    return "imported directly into the index"


def result_to_record(result: ClaimResult) -> dict[str, Any]:
    """The stored form of a claim's answer (lead ids, dimensions, times: no personal data)."""
    return {
        "verdict": int(result.verdict),
        "canonical_lead_id": result.canonical_lead_id,
        "action": int(result.action),
        "matches": [
            {
                "dimension": int(m.dimension),
                "lead_id": m.lead_id,
                "first_seen": m.first_seen.isoformat(),
                "policy_account_id": m.policy_account_id,
                "scope_key": m.scope_key,
                "window_us": _micros(m.window),
                "within_window": m.within_window,
            }
            for m in result.matches
        ],
    }


def result_from_record(record: dict[str, Any]) -> ClaimResult:
    return ClaimResult(
        verdict=Verdict(record["verdict"]),
        canonical_lead_id=record["canonical_lead_id"],
        action=Action(record["action"]),
        matches=tuple(
            Match(
                dimension=Dimension(m["dimension"]),
                lead_id=m["lead_id"],
                first_seen=datetime.fromisoformat(m["first_seen"]),
                policy_account_id=m["policy_account_id"],
                scope_key=m["scope_key"],
                window=timedelta(microseconds=m["window_us"]),
                within_window=m["within_window"],
            )
            for m in record["matches"]
        ),
    )


def _micros(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
