"""Pure pieces of the shared runtime: tokens, page tokens, error mapping, PII masking in logs."""

from __future__ import annotations

import io
import json
import logging
import time
from pathlib import Path

import grpc
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.rpc import error_details_pb2

from services.common import errors
from services.common.auth import Principal, Role, TokenCodec, require_role
from services.common.config import AuthSettings, ConfigError, Env
from services.common.grpc_errors import status_for
from services.common.logs import JsonFormatter
from services.common.paging import PageTokens, filter_binding, resolve_page_size
from services.common.pii import mask_phone, scrub

KEY = "k" * 40


def _codec(tmp_path: Path, **env: str) -> TokenCodec:
    return TokenCodec(AuthSettings.from_env(Env({"LEADFLOW_JWT_HS256_KEY": KEY, **env}), tmp_path))


def test_a_minted_token_verifies_to_its_principal(tmp_path: Path) -> None:
    codec = _codec(tmp_path)
    principal = codec.verify(codec.mint(tenant="acme", role="agent", subject="u1"))
    assert principal == Principal(tenant_id="acme", subject="u1", role=Role.AGENT)


def test_an_expired_token_is_refused(tmp_path: Path) -> None:
    codec = _codec(tmp_path)
    token = codec.mint(tenant="acme", role="admin", ttl_seconds=-10)
    with pytest.raises(errors.Unauthenticated) as err:
        codec.verify(token)
    assert err.value.reason == "TOKEN_EXPIRED"


def test_a_token_without_tenant_or_with_an_unknown_role_is_refused(tmp_path: Path) -> None:
    now = int(time.time())
    base = {"sub": "x", "iss": "leadflow", "aud": "leadflow", "exp": now + 60}
    codec = _codec(tmp_path)
    for claims in ({**base, "role": "admin"}, {**base, "tenant": "t", "role": "root"}):
        with pytest.raises(errors.Unauthenticated):
            codec.verify(jwt.encode(claims, KEY, algorithm="HS256"))


def test_rs256_tokens_verify_with_the_public_key(tmp_path: Path) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (tmp_path / "priv.pem").write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    (tmp_path / "pub.pem").write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    codec = TokenCodec(
        AuthSettings.from_env(
            Env(
                {
                    "LEADFLOW_JWT_ALGORITHM": "RS256",
                    "LEADFLOW_JWT_RS256_PUBLIC_KEY_FILE": str(tmp_path / "pub.pem"),
                    "LEADFLOW_JWT_RS256_PRIVATE_KEY_FILE": str(tmp_path / "priv.pem"),
                }
            ),
            tmp_path,
        )
    )
    assert codec.verify(codec.mint(tenant="t", role="service")).role is Role.SERVICE
    with pytest.raises(errors.Unauthenticated):
        codec.verify(_codec(tmp_path).mint(tenant="t", role="service"))  # an HS256 token is not accepted


def test_rs256_without_a_public_key_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        AuthSettings.from_env(Env({"LEADFLOW_JWT_ALGORITHM": "RS256"}), tmp_path)
    assert err.value.variable == "LEADFLOW_JWT_RS256_PUBLIC_KEY_FILE"


def test_a_role_outside_the_allowed_set_is_permission_denied() -> None:
    with pytest.raises(errors.PermissionDenied):
        require_role(Principal("t", "s", Role.AGENT), frozenset({Role.ADMIN}))
    require_role(Principal("t", "s", Role.ADMIN), frozenset({Role.ADMIN}))


def test_page_tokens_round_trip_and_refuse_tampering_and_other_filters() -> None:
    tokens = PageTokens(b"p" * 32)
    binding = filter_binding("tenant-a", "ListLeads", "acct-1")
    token = tokens.encode({"after": "01ABC"}, binding=binding)
    assert tokens.decode(token, binding=binding) == {"after": "01ABC"}
    assert tokens.decode("", binding=binding) is None
    body, tag = token.split(".")
    forged = tokens.encode({"after": "01ZZZ"}, binding=binding).split(".")[0] + "." + tag
    for bad, bound in (
        (forged, binding),
        (token, filter_binding("tenant-b", "ListLeads", "acct-1")),
        ("garbage", binding),
        (body + ".", binding),
    ):
        with pytest.raises(errors.InvalidArgument) as err:
            tokens.decode(bad, binding=bound)
        assert err.value.violations[0].field == "page_token"


def test_page_size_zero_is_default_large_is_capped_negative_is_invalid() -> None:
    assert resolve_page_size(0) == 50
    assert resolve_page_size(5000) == 1000
    with pytest.raises(errors.InvalidArgument):
        resolve_page_size(-1)


def test_invalid_argument_maps_to_bad_request_and_error_info() -> None:
    error = errors.InvalidArgument([errors.FieldViolation("lead.phone", "too long")], reason="PHONE_TOO_LONG")
    status = status_for(error)
    assert status.code == grpc.StatusCode.INVALID_ARGUMENT
    details = [d for _k, d in status.trailing_metadata if _k == "grpc-status-details-bin"]
    from google.rpc import status_pb2

    parsed = status_pb2.Status.FromString(details[0])
    info, bad = error_details_pb2.ErrorInfo(), error_details_pb2.BadRequest()
    assert parsed.details[0].Unpack(info) and parsed.details[1].Unpack(bad)
    assert (info.reason, info.domain) == ("PHONE_TOO_LONG", "leadflow.io")
    assert [(v.field, v.description) for v in bad.field_violations] == [("lead.phone", "too long")]


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (errors.NotFound("x"), grpc.StatusCode.NOT_FOUND),
        (errors.FailedPrecondition("x"), grpc.StatusCode.FAILED_PRECONDITION),
        (errors.AlreadyExists("x"), grpc.StatusCode.ALREADY_EXISTS),
        (errors.Aborted("x"), grpc.StatusCode.ABORTED),
        (errors.Unavailable("x"), grpc.StatusCode.UNAVAILABLE),
        (errors.ResourceExhausted("x"), grpc.StatusCode.RESOURCE_EXHAUSTED),
    ],
)
def test_each_domain_error_has_its_status_code(error: errors.DomainError, code: grpc.StatusCode) -> None:
    assert status_for(error).code == code


@pytest.mark.parametrize(
    "raw",
    ["13800138000", "+86 138 0013 8000", "+8613800138000", "138-0013-8000", "0086 13800138000"],
)
def test_scrub_masks_phone_numbers_in_any_format(raw: str) -> None:
    masked = scrub(f"lead {raw} rejected")
    assert "0013" not in masked and "138****8000" in masked.replace(" ", "")


def test_scrub_masks_emails_and_ips() -> None:
    text = scrub("from 203.0.113.42 and 2001:db8::1:2:3 by zhang.san@example.com")
    assert "203.0.113.42" not in text and "zhang.san@" not in text and "2001:db8::1:2:3" not in text


def test_mask_phone_hides_at_least_four_digits_of_any_length() -> None:
    assert mask_phone("+3523000") == "3****00"  # 7 digits: one and two kept
    assert mask_phone("12345678") == "12****78"
    for length in range(1, 16):
        digits = "".join(str(n % 10) for n in range(1, length + 1))
        shown = sum(ch.isdigit() for ch in mask_phone(digits))
        assert shown <= max(length - 4, 0), (digits, mask_phone(digits))


def test_mask_phone_keeps_three_and_four() -> None:
    assert mask_phone("+8613800138000") == "138****8000"
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("010-12345678") == "010****5678"


def test_json_log_lines_carry_service_and_no_raw_phone() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("ingest"))
    logger = logging.getLogger("test.pii")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("dedup refused 13800138000", extra={"phone": "+8613800138000", "count": 3})
    finally:
        logger.removeHandler(handler)
    entry = json.loads(stream.getvalue())
    assert entry["service"] == "ingest" and entry["count"] == 3
    assert "13800138000" not in stream.getvalue() and "8613800138000" not in stream.getvalue()
