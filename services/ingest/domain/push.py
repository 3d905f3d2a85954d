"""Pushing accepted leads (线索推送) and their later status changes (conversion postback, 回传) to the advertiser's
HTTP endpoint. Pure Python: rules, payloads, signatures,
the retry schedule and the delivery state machine. No grpc, sqlalchemy, nats or network imports.

Delivery states (the numbers of ``leadflow.ingest.v1.PushDeliveryStatus``)::

    PENDING --2xx--> DELIVERED
       |  \\--410 Gone / rule disabled--> GAVE_UP
       \\--any other failure--> FAILED --2xx--> DELIVERED
                                  |  \\--failure, 24 h after the first attempt--> GAVE_UP
                                  \\--failure before that--> FAILED (next attempt scheduled)

What counts as a failure worth retrying: every HTTP status outside 2xx except 410 (timeouts, connection and TLS
errors, 3xx (redirects are not followed), 408, 429, 5xx, and also 400/401/403/404: those are usually the
advertiser's endpoint being misconfigured or mid-deployment, and a capped retry for a day costs little). 410 Gone
is the endpoint's explicit "stop sending this", so the delivery gives up at once.

Retry schedule: exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
after failed attempt n the next one waits ``uniform(0, min(cap, base * 2**(n-1)))``, raised to ``floor`` so a
failing endpoint is never hammered, and to a ``Retry-After`` the endpoint sent (itself capped). No attempt is
scheduled later than ``give_up_after`` (24 h) after the first attempt; the attempt at that moment is the last.

Signature: ``X-Leadflow-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>`` with the Unix
seconds of ``X-Leadflow-Timestamp``, so a receiver can reject replays outside a tolerance window.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum, IntEnum, StrEnum
from typing import Any
from urllib.parse import urlsplit

from services.common.errors import ViolationCollector
from services.common.validation import check_account_id, has_control_characters
from services.ingest.domain.events import LeadStatusChanged

# ----------------------------------------------------------------------------------------------------- states


class DeliveryStatus(IntEnum):
    UNSPECIFIED = 0
    PENDING = 1
    DELIVERED = 2
    FAILED = 3
    GAVE_UP = 4

    @property
    def terminal(self) -> bool:
        return self in (DeliveryStatus.DELIVERED, DeliveryStatus.GAVE_UP)


# Deliveries that still want an attempt; exactly these have a next_attempt_time.
ACTIVE_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)

# ----------------------------------------------------------------------------------------------------- fields

# Lead fields (names of leadflow.ingest.v1.Lead). The lead.accepted event carries the phone and the lead's
# metadata; the other contact fields are read from ingest's own leads table when the push is scheduled.
PUSHABLE_LEAD_FIELDS = (
    "id",
    "account_ids",
    "verdict",
    "name",
    "phone",
    "phone_from_wechat",
    "phone_region",
    "wechat",
    "email",
    "ip",
    "device_id",
    "returning_of_lead_id",
    "first_submit_time",
    "create_time",
)
# Lead contact fields the event does not carry: read from the leads table (personal data, never logged).
STORED_CONTACT_FIELDS = ("name", "wechat", "email", "ip", "device_id")
# Where the lead came from (names of the submission's fields), carried by the event.
PUSHABLE_SOURCE_FIELDS = (
    "account_id",
    "collect_account_id",
    "submission_id",
    "channel",
    "traffic_source",
    "business_source",
    "campaign_id",
    "adgroup_id",
    "creative_id",
    "cost",
)
PUSHABLE_FIELDS = PUSHABLE_LEAD_FIELDS + PUSHABLE_SOURCE_FIELDS

MAX_ENDPOINT_URL = 2048
MIN_SECRET = 32
MAX_SECRET = 128
MAX_LEAD_ID = 128
MAX_REQUEST_ID = 64
MAX_LAST_ERROR = 500

# ----------------------------------------------------------------------------------------------------- rules


class PushEventType(StrEnum):
    """What a delivery pushes; the value is the body's ``type`` (``leadflow.ingest.v1.PushEventType``)."""

    LEAD_ACCEPTED = "lead.accepted"
    LEAD_STATUS_CHANGED = "lead.status_changed"


# A rule stored before rules chose their events pushes accepted leads only.
DEFAULT_EVENT_TYPES = (PushEventType.LEAD_ACCEPTED,)


@dataclass(frozen=True)
class PushRule:
    tenant_id: str
    account_id: str
    endpoint_url: str
    enabled: bool
    fields: tuple[str, ...]  # empty: every pushable field
    secret: str = field(repr=False)  # never returned by the API, never logged
    update_time: datetime | None = None
    updated_by: str = ""
    event_types: tuple[PushEventType, ...] = DEFAULT_EVENT_TYPES

    @property
    def has_secret(self) -> bool:
        return bool(self.secret)

    def pushes(self, event_type: PushEventType) -> bool:
        """Whether the rule is on and pushes events of this type."""
        return self.enabled and event_type in self.event_types


@dataclass(frozen=True)
class SetPushRuleCommand:
    """A SetPushRuleRequest as plain values. An empty ``secret`` keeps the stored one; empty ``event_types`` means
    accepted leads only. ``event_types`` holds None for a value the request gave that no PushEventType has."""

    account_id: str
    endpoint_url: str
    enabled: bool
    fields: tuple[str, ...]
    secret: str = field(default="", repr=False)
    request_id: str = ""
    event_types: tuple[PushEventType | None, ...] = ()

    def stored_event_types(self) -> tuple[PushEventType, ...]:
        return tuple(t for t in self.event_types if t is not None) or DEFAULT_EVENT_TYPES


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """False for loopback, private, link-local (cloud metadata), multicast, reserved and unspecified addresses."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def check_endpoint_url(
    errors: ViolationCollector, path: str, url: str, *, allow_http: bool, allow_private_networks: bool
) -> None:
    """An absolute https URL with a host (http only when ``allow_http``), no user info, no fragment.

    A host given as an IP literal must be a public address unless ``allow_private_networks``; host names are
    checked again by the sender when it resolves them, on every attempt.
    """
    if not url:
        errors.add(path, "is required")
        return
    if len(url) > MAX_ENDPOINT_URL:
        errors.add(path, f"must be at most {MAX_ENDPOINT_URL} characters")
        return
    if has_control_characters(url) or any(ch.isspace() for ch in url):
        errors.add(path, "must not contain white space or control characters")
        return
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError:
        errors.add(path, "is not a valid URL")
        return
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes:
        errors.add(path, "must be an https URL" if not allow_http else "must be an http or https URL")
        return
    if not parts.hostname:
        errors.add(path, "must name a host")
        return
    if parts.username is not None or parts.password is not None:
        errors.add(path, "must not carry user info; the receiver authenticates pushes by their signature")
        return
    if parts.fragment:
        errors.add(path, "must not have a fragment")
        return
    try:
        literal = ipaddress.ip_address(parts.hostname)
    except ValueError:
        return
    if not allow_private_networks and not is_public_address(literal):
        errors.add(path, "must not point at a loopback, private, link-local or reserved address")


def check_fields(errors: ViolationCollector, path: str, names: Sequence[str]) -> None:
    seen: set[str] = set()
    for index, name in enumerate(names):
        where = f"{path}[{index}]"
        if name not in PUSHABLE_FIELDS:
            errors.add(where, f"unknown field {name[:64]!r}; pushable fields: {', '.join(PUSHABLE_FIELDS)}")
        elif name in seen:
            errors.add(where, f"{name!r} is listed twice")
        seen.add(name)


def check_secret(errors: ViolationCollector, path: str, secret: str, *, stored: bool) -> None:
    if not secret:
        if not stored:
            errors.add(path, "is required: the account has no secret stored yet")
        return
    if not MIN_SECRET <= len(secret) <= MAX_SECRET:
        errors.add(path, f"must be {MIN_SECRET} to {MAX_SECRET} characters")
    elif has_control_characters(secret) or secret != secret.strip():
        errors.add(path, "must not contain control characters or leading or trailing white space")


def check_event_types(errors: ViolationCollector, path: str, types: Sequence[PushEventType | None]) -> None:
    for index, value in enumerate(types):
        if value is None:
            errors.add(
                f"{path}[{index}]",
                "must be PUSH_EVENT_TYPE_LEAD_ACCEPTED or PUSH_EVENT_TYPE_LEAD_STATUS_CHANGED",
            )
    if len(set(types)) != len(types):
        errors.add(path, "must not name an event type twice")


def validate_rule_command(
    command: SetPushRuleCommand,
    errors: ViolationCollector,
    *,
    allow_http: bool,
    allow_private_networks: bool,
    secret_stored: bool,
    prefix: str = "push_rule.",
) -> None:
    """Adds a violation per bad field; paths are relative to the request (``push_rule.endpoint_url``)."""
    check_account_id(errors, prefix + "account_id", command.account_id)
    check_endpoint_url(
        errors,
        prefix + "endpoint_url",
        command.endpoint_url,
        allow_http=allow_http,
        allow_private_networks=allow_private_networks,
    )
    check_fields(errors, prefix + "selected_fields", command.fields)
    check_event_types(errors, prefix + "event_types", command.event_types)
    check_secret(errors, prefix + "secret", command.secret, stored=secret_stored)
    if len(command.request_id) > MAX_REQUEST_ID:
        errors.add("request_id", f"must be at most {MAX_REQUEST_ID} characters")


# ----------------------------------------------------------------------------------------------------- payload


def select_fields(available: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
    """The lead fields the rule asks for (every pushable field when ``names`` is empty); unknown values are None."""
    return {name: available.get(name) for name in (names or PUSHABLE_FIELDS)}


def build_body(
    *,
    delivery_id: str,
    lead_id: str,
    account_id: str,
    lead: Mapping[str, Any],
    event_type: PushEventType = PushEventType.LEAD_ACCEPTED,
) -> bytes:
    """The POST body: the same bytes on every attempt of one delivery (keys sorted, compact, UTF-8). ``lead`` is
    the delivery's payload: the selected lead fields under "lead" for an accepted lead, the change under "change"
    for a status change (``status_change_payload``)."""
    content = "change" if event_type is PushEventType.LEAD_STATUS_CHANGED else "lead"
    document = {
        "type": str(event_type),
        "delivery_id": delivery_id,
        "lead_id": lead_id,
        "account_id": account_id,
        content: dict(lead),
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


SIGNATURE_PREFIX = "sha256="
TIMESTAMP_HEADER = "X-Leadflow-Timestamp"
SIGNATURE_HEADER = "X-Leadflow-Signature"
DELIVERY_ID_HEADER = "X-Leadflow-Delivery-Id"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=`` + hex HMAC-SHA256 under ``secret`` of ``f"{timestamp}.".encode() + body``."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return SIGNATURE_PREFIX + mac.hexdigest()


def verify_signature(
    secret: str,
    timestamp_header: str,
    body: bytes,
    signature_header: str,
    *,
    now: datetime,
    tolerance: timedelta = timedelta(minutes=5),
) -> bool:
    """What a receiver does: recompute the signature and refuse stale timestamps (replays)."""
    try:
        timestamp = int(timestamp_header)
    except ValueError:
        return False
    if abs(now.timestamp() - timestamp) > tolerance.total_seconds():
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature_header)


def signed_headers(*, delivery_id: str, secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, timestamp, body),
        DELIVERY_ID_HEADER: delivery_id,
    }


# ----------------------------------------------------------------------------------------------------- retries


@dataclass(frozen=True)
class RetryPolicy:
    base: timedelta = timedelta(seconds=10)
    cap: timedelta = timedelta(hours=1)
    floor: timedelta = timedelta(seconds=1)
    give_up_after: timedelta = timedelta(hours=24)

    def __post_init__(self) -> None:
        if not timedelta(0) <= self.floor <= self.base <= self.cap:
            raise ValueError("retry policy needs 0 <= floor <= base <= cap")
        if self.give_up_after <= timedelta(0):
            raise ValueError("retry policy needs a positive give_up_after")

    def ceiling(self, attempt: int) -> timedelta:
        """The upper bound of the wait after failed attempt ``attempt`` (1-based)."""
        exponent = min(max(attempt, 1) - 1, 40)  # 2**40 * any sane base is far past any cap
        return min(self.cap, self.base * (2**exponent))

    def delay(
        self, attempt: int, rand: Callable[[], float], retry_after: timedelta | None = None
    ) -> timedelta:
        """Full jitter in [floor, ceiling]; a Retry-After the endpoint asked for is honoured up to the cap."""
        wait = max(self.floor, self.ceiling(attempt) * min(max(rand(), 0.0), 1.0))
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.cap))
        return wait


class OutcomeKind(Enum):
    DELIVERED = "delivered"
    RETRY = "retry"
    GIVE_UP = "give_up"


@dataclass(frozen=True)
class AttemptOutcome:
    """What one attempt came to. ``error`` is short, fixed text: never a URL, a body or personal data."""

    kind: OutcomeKind
    http_status: int = 0  # 0: no HTTP answer
    error: str = ""
    retry_after: timedelta | None = None


def classify_http_status(status: int) -> OutcomeKind:
    if 200 <= status <= 299:
        return OutcomeKind.DELIVERED
    if status == 410:
        return OutcomeKind.GIVE_UP
    return OutcomeKind.RETRY


def http_outcome(status: int, reason: str = "", retry_after: timedelta | None = None) -> AttemptOutcome:
    kind = classify_http_status(status)
    if kind is OutcomeKind.DELIVERED:
        return AttemptOutcome(kind, http_status=status)
    text = f"HTTP {status}"
    if 300 <= status <= 399:
        text += " (redirects are not followed)"
    elif status == 410:
        text += " Gone: the endpoint asked to stop"
    elif reason:
        text += " " + reason[:64]
    return AttemptOutcome(kind, http_status=status, error=text, retry_after=retry_after)


def parse_retry_after(value: str | None) -> timedelta | None:
    """Retry-After in delay-seconds form; the HTTP-date form is ignored (the jittered backoff applies)."""
    if value is None or not value.strip().isdigit():
        return None
    return timedelta(seconds=min(int(value.strip()), 7 * 24 * 3600))


class InvalidTransition(Exception):
    """An attempt result for a delivery that is already final: a bug, never an input error."""


@dataclass(frozen=True)
class Transition:
    status: DeliveryStatus
    next_attempt_time: datetime | None
    delivered_time: datetime | None
    last_http_status: int
    last_error: str


def next_state(
    current: DeliveryStatus,
    outcome: AttemptOutcome,
    *,
    attempt: int,
    first_attempt_time: datetime,
    now: datetime,
    policy: RetryPolicy,
    rand: Callable[[], float],
) -> Transition:
    """Where a delivery goes after attempt number ``attempt`` (1-based) ended with ``outcome`` at ``now``."""
    if current.terminal or current == DeliveryStatus.UNSPECIFIED:
        raise InvalidTransition(f"no attempt can follow status {current.name}")
    error = outcome.error[:MAX_LAST_ERROR]
    if outcome.kind is OutcomeKind.DELIVERED:
        return Transition(DeliveryStatus.DELIVERED, None, now, outcome.http_status, "")
    if outcome.kind is OutcomeKind.GIVE_UP:
        return Transition(DeliveryStatus.GAVE_UP, None, None, outcome.http_status, error)
    deadline = first_attempt_time + policy.give_up_after
    if now >= deadline:
        return Transition(DeliveryStatus.GAVE_UP, None, None, outcome.http_status, error)
    due = min(now + policy.delay(attempt, rand, outcome.retry_after), deadline)
    return Transition(DeliveryStatus.FAILED, due, None, outcome.http_status, error)


# ----------------------------------------------------------------------------------------------------- records


@dataclass(frozen=True)
class PushDelivery:
    id: str
    tenant_id: str
    account_id: str
    lead_id: str
    event_id: str
    status: DeliveryStatus
    attempts: int
    last_http_status: int
    last_error: str
    next_attempt_time: datetime | None
    first_attempt_time: datetime | None
    delivered_time: datetime | None
    create_time: datetime
    update_time: datetime
    payload: Mapping[str, Any] = field(repr=False, default_factory=dict)  # personal data
    event_type: PushEventType = PushEventType.LEAD_ACCEPTED


@dataclass(frozen=True)
class DeliveryQuery:
    """ListPushDeliveries as plain values: ``lead_id`` and/or ``account_id``; status 0 means any."""

    lead_id: str = ""
    account_id: str = ""
    status: int = 0
    page_size: int = 0
    page_token: str = ""


@dataclass(frozen=True)
class NewDelivery:
    id: str
    tenant_id: str
    account_id: str
    lead_id: str
    event_id: str
    create_time: datetime
    payload: dict[str, Any] = field(repr=False)  # personal data
    event_type: PushEventType = PushEventType.LEAD_ACCEPTED


@dataclass(frozen=True)
class ClaimedDelivery:
    """A delivery leased to this worker for one attempt, with the rule as it stands now (None: deleted)."""

    delivery: PushDelivery
    attempt: int  # the number of this attempt, 1-based; the fencing token of record_attempt
    rule: PushRule | None


@dataclass(frozen=True)
class AcceptedLead:
    """What scheduling a push needs of a ``lead.accepted`` event: its ids, and every pushable field the event
    carries (JSON-ready, named as in the Lead and Submission messages; None where the event has no value)."""

    event_id: str
    tenant_id: str
    account_id: str
    lead_id: str
    fields: Mapping[str, Any] = field(repr=False)  # personal data


def status_change_payload(change: LeadStatusChanged) -> dict[str, Any]:
    """The "change" object of a status-change push: no personal data, times in RFC 3339 (UTC)."""
    return {
        "status": change.status.name,
        "invalid_reason": change.invalid_reason or None,
        "change_time": change.occurred_time.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "follow_up_id": change.follow_up_id or None,
        "agent_id": change.agent_id or None,
    }


def with_stored_contact(fields: Mapping[str, Any], contact: Mapping[str, str] | None) -> dict[str, Any]:
    """The event's fields completed with the contact fields only ingest's own lead holds
    (``STORED_CONTACT_FIELDS``); a field without a stored value is None."""
    merged = dict(fields)
    for name in STORED_CONTACT_FIELDS:
        merged[name] = (contact or {}).get(name) or None
    return merged


@dataclass(frozen=True)
class PushRequest:
    """One signed POST to an advertiser's endpoint."""

    url: str = field(repr=False)  # may carry secrets in its query string
    body: bytes = field(repr=False)  # personal data
    headers: Mapping[str, str] = field(repr=False)
