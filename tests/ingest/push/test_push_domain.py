"""Unit tests of the pure push rules: retry schedule, jitter, state machine, signature, validation, payloads."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from services.common.errors import ViolationCollector
from services.ingest.domain.push import (
    PUSHABLE_FIELDS,
    AttemptOutcome,
    DeliveryStatus,
    InvalidTransition,
    OutcomeKind,
    RetryPolicy,
    SetPushRuleCommand,
    build_body,
    check_endpoint_url,
    classify_http_status,
    http_outcome,
    next_state,
    parse_retry_after,
    select_fields,
    sign,
    signed_headers,
    validate_rule_command,
    verify_signature,
)

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
SECRET = "whsec_0123456789abcdef0123456789abcdef"
FAIL = AttemptOutcome(OutcomeKind.RETRY, http_status=500, error="HTTP 500")


# ------------------------------------------------------------------------------------------------ schedule


def test_ceiling_doubles_from_base_up_to_the_cap() -> None:
    policy = RetryPolicy(base=timedelta(seconds=10), cap=timedelta(hours=1))
    assert [policy.ceiling(n).total_seconds() for n in range(1, 6)] == [10, 20, 40, 80, 160]
    assert policy.ceiling(9) == timedelta(seconds=2560)
    assert policy.ceiling(10) == timedelta(hours=1)
    assert policy.ceiling(10_000) == timedelta(hours=1)  # no overflow for absurd attempt numbers


@pytest.mark.parametrize("attempt", [1, 2, 5, 12, 60])
def test_full_jitter_stays_within_floor_and_ceiling(attempt: int) -> None:
    policy = RetryPolicy()
    rng = random.Random(attempt)
    delays = [policy.delay(attempt, rng.random) for _ in range(2000)]
    assert all(policy.floor <= d <= policy.ceiling(attempt) for d in delays)
    if policy.ceiling(attempt) > 10 * policy.floor:
        # Full jitter: spread over the whole range, not clustered at the top.
        spread = policy.ceiling(attempt)
        assert min(delays) < spread * 0.1 and max(delays) > spread * 0.9


def test_jitter_extremes_and_retry_after() -> None:
    policy = RetryPolicy(base=timedelta(seconds=10), cap=timedelta(minutes=5), floor=timedelta(seconds=1))
    assert policy.delay(3, lambda: 0.0) == timedelta(seconds=1)
    assert policy.delay(3, lambda: 1.0) == timedelta(seconds=40)
    assert policy.delay(1, lambda: 0.0, retry_after=timedelta(seconds=30)) == timedelta(seconds=30)
    assert policy.delay(1, lambda: 0.0, retry_after=timedelta(hours=2)) == timedelta(minutes=5)


def test_policy_rejects_inconsistent_bounds() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(base=timedelta(hours=2), cap=timedelta(hours=1))
    with pytest.raises(ValueError):
        RetryPolicy(give_up_after=timedelta(0))


@pytest.mark.parametrize("jitter", [0.0, 0.5, 1.0])
def test_failures_give_up_exactly_24h_after_the_first_attempt(jitter: float) -> None:
    policy = RetryPolicy()
    now, status, attempt = T0, DeliveryStatus.PENDING, 0
    attempts: list[datetime] = []
    while status in (DeliveryStatus.PENDING, DeliveryStatus.FAILED):
        attempt += 1
        attempts.append(now)
        step = next_state(
            status, FAIL, attempt=attempt, first_attempt_time=T0, now=now, policy=policy, rand=lambda: jitter
        )
        status = step.status
        if step.next_attempt_time is not None:
            assert now < step.next_attempt_time <= T0 + timedelta(hours=24)
            now = step.next_attempt_time
    assert status == DeliveryStatus.GAVE_UP
    assert attempts[-1] == T0 + timedelta(hours=24)  # the last attempt is made at the deadline, not skipped
    assert all(b - a <= policy.cap for a, b in zip(attempts, attempts[1:], strict=False))
    # The 1 s floor bounds the (degenerate, all-zero jitter) worst case; with typical jitter the cap rules.
    assert len(attempts) <= 24 * 3600 + 1
    if jitter >= 0.5:
        assert 20 <= len(attempts) <= 60


# ------------------------------------------------------------------------------------------------ state machine


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (200, OutcomeKind.DELIVERED),
        (204, OutcomeKind.DELIVERED),
        (299, OutcomeKind.DELIVERED),
        (410, OutcomeKind.GIVE_UP),
        (301, OutcomeKind.RETRY),
        (400, OutcomeKind.RETRY),
        (401, OutcomeKind.RETRY),
        (404, OutcomeKind.RETRY),
        (408, OutcomeKind.RETRY),
        (429, OutcomeKind.RETRY),
        (500, OutcomeKind.RETRY),
        (503, OutcomeKind.RETRY),
    ],
)
def test_http_status_classification(status: int, kind: OutcomeKind) -> None:
    assert classify_http_status(status) is kind


def test_transitions() -> None:
    kwargs = {"attempt": 1, "first_attempt_time": T0, "now": T0, "policy": RetryPolicy(), "rand": lambda: 0.5}
    ok = next_state(DeliveryStatus.PENDING, http_outcome(200), **kwargs)
    assert (ok.status, ok.delivered_time, ok.next_attempt_time, ok.last_error) == (
        DeliveryStatus.DELIVERED,
        T0,
        None,
        "",
    )
    gone = next_state(DeliveryStatus.FAILED, http_outcome(410), **kwargs)
    assert (gone.status, gone.next_attempt_time, gone.last_http_status) == (DeliveryStatus.GAVE_UP, None, 410)
    assert "Gone" in gone.last_error
    retry = next_state(DeliveryStatus.PENDING, http_outcome(503, "Service Unavailable"), **kwargs)
    assert retry.status == DeliveryStatus.FAILED and retry.next_attempt_time is not None
    assert retry.last_error == "HTTP 503 Service Unavailable"
    for final in (DeliveryStatus.DELIVERED, DeliveryStatus.GAVE_UP):
        with pytest.raises(InvalidTransition):
            next_state(final, http_outcome(200), **kwargs)


def test_retry_after_header_parsing() -> None:
    assert parse_retry_after("120") == timedelta(seconds=120)
    assert parse_retry_after(" 7 ") == timedelta(seconds=7)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("-5") is None


# ------------------------------------------------------------------------------------------------ signature


def test_signature_test_vector() -> None:
    # Computed independently: printf '1767225600.{...}' | openssl dgst -sha256 -hmac "$SECRET"
    body = b'{"lead_id":"01J","phone":"+8613800138000"}'
    assert sign(SECRET, 1767225600, body) == (
        "sha256=74c85071f7a9c4f84de27cc807872b836f56a9d95ef382e4d5b4084776b61753"
    )


def test_receiver_verification_refuses_tampering_and_replays() -> None:
    body = b'{"a":1}'
    now = datetime.fromtimestamp(1767225600, UTC)
    headers = signed_headers(delivery_id="D1", secret=SECRET, timestamp=1767225600, body=body)
    assert headers["X-Leadflow-Delivery-Id"] == "D1" and headers["Content-Type"] == "application/json"
    ts, sig = headers["X-Leadflow-Timestamp"], headers["X-Leadflow-Signature"]
    assert verify_signature(SECRET, ts, body, sig, now=now)
    assert not verify_signature(SECRET, ts, b'{"a":2}', sig, now=now)
    assert not verify_signature("x" * 32, ts, body, sig, now=now)
    assert not verify_signature(SECRET, str(int(ts) + 1), body, sig, now=now)
    assert not verify_signature(SECRET, ts, body, sig, now=now + timedelta(minutes=6))
    assert not verify_signature(SECRET, "soon", body, sig, now=now)


# ------------------------------------------------------------------------------------------------ rules, payload


def _violations(url: str, **flags: bool) -> list[str]:
    errors = ViolationCollector()
    check_endpoint_url(
        errors,
        "u",
        url,
        allow_http=flags.get("http", False),
        allow_private_networks=flags.get("private", False),
    )
    return [v.description for v in errors.violations]


def test_endpoint_url_rules() -> None:
    assert _violations("https://crm.example.com/hook?token=abc") == []
    assert _violations("https://crm.example.com:8443/") == []
    assert _violations("http://crm.example.com/hook") == ["must be an https URL"]
    assert _violations("http://crm.example.com/hook", http=True) == []
    assert _violations("ftp://crm.example.com/") == ["must be an https URL"]
    assert _violations("https:///path-only") == ["must name a host"]
    assert _violations("crm.example.com/hook") == ["must be an https URL"]
    assert _violations("") == ["is required"]
    assert _violations("https://user:pw@crm.example.com/")[0].startswith("must not carry user info")
    assert _violations("https://crm.example.com/#frag") == ["must not have a fragment"]
    assert _violations("https://crm.example.com:99999/") == ["is not a valid URL"]
    assert _violations("https://crm.example.com/a b") == [
        "must not contain white space or control characters"
    ]
    assert _violations("https://" + "a" * 2050 + ".com/")[0].startswith("must be at most")
    for private in (
        "https://127.0.0.1/",
        "https://10.1.2.3/",
        "https://169.254.169.254/latest",
        "https://[::1]/",
    ):
        assert _violations(private) == [
            "must not point at a loopback, private, link-local or reserved address"
        ]
        assert _violations(private, private=True) == []


def test_rule_command_names_every_bad_field() -> None:
    command = SetPushRuleCommand(
        account_id="",
        endpoint_url="http://x.example.com/",
        enabled=True,
        fields=("phone", "name", "shoe_size", "phone"),
        secret="short",
        request_id="r" * 65,
    )
    errors = ViolationCollector()
    validate_rule_command(
        command, errors, allow_http=False, allow_private_networks=False, secret_stored=False
    )
    fields = [v.field for v in errors.violations]
    assert fields == [
        "push_rule.account_id",
        "push_rule.endpoint_url",
        "push_rule.selected_fields[2]",
        "push_rule.selected_fields[3]",
        "push_rule.secret",
        "request_id",
    ]
    descriptions = {v.field: v.description for v in errors.violations}
    assert "unknown field 'shoe_size'" in descriptions["push_rule.selected_fields[2]"]
    assert "listed twice" in descriptions["push_rule.selected_fields[3]"]
    assert descriptions["push_rule.secret"] == "must be 32 to 128 characters"


def test_empty_secret_is_required_only_without_a_stored_one() -> None:
    command = SetPushRuleCommand(
        account_id="a", endpoint_url="https://x.example.com/", enabled=True, fields=()
    )
    for stored, expected in ((False, ["push_rule.secret"]), (True, [])):
        errors = ViolationCollector()
        validate_rule_command(
            command, errors, allow_http=False, allow_private_networks=False, secret_stored=stored
        )
        assert [v.field for v in errors.violations] == expected


def test_field_selection_and_body() -> None:
    available = {"id": "L1", "phone": "+8613800138000", "cost": None, "channel": "CHANNEL_FORM"}
    assert select_fields(available, ("phone", "id")) == {"phone": "+8613800138000", "id": "L1"}
    everything = select_fields(available, ())
    assert tuple(everything) == PUSHABLE_FIELDS and everything["campaign_id"] is None
    body = build_body(delivery_id="D1", lead_id="L1", account_id="A1", lead={"phone": "+86", "name": "张三"})
    assert body == build_body(
        delivery_id="D1", lead_id="L1", account_id="A1", lead={"name": "张三", "phone": "+86"}
    )
    assert json.loads(body) == {
        "type": "lead.accepted",
        "delivery_id": "D1",
        "lead_id": "L1",
        "account_id": "A1",
        "lead": {"phone": "+86", "name": "张三"},
    }
    assert "张三".encode() in body  # UTF-8, not \\u escapes
