"""Tokens signed with the real key but carrying claims of the wrong type or an endless life are refused (issue 13
item 5); a well-formed token is accepted."""

from __future__ import annotations

import time
from pathlib import Path

import jwt
import pytest

from services.common.auth import TokenCodec
from services.common.config import AuthSettings, Env
from services.common.errors import Unauthenticated

KEY = "token-claims-test-key-" + "k" * 32


@pytest.fixture
def codec(tmp_path: Path) -> TokenCodec:
    return TokenCodec(AuthSettings.from_env(Env({"LEADFLOW_JWT_HS256_KEY": KEY}), tmp_path))


def signed(**changes: object) -> str:
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": "svc", "tenant": "tA", "role": "service", "iss": "leadflow", "aud": "leadflow",
        "iat": now, "exp": now + 3600,
    }  # fmt: skip
    claims.update(changes)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, KEY, algorithm="HS256")


def test_a_well_formed_token_is_accepted(codec: TokenCodec) -> None:
    principal = codec.verify(signed())
    assert (principal.tenant_id, principal.subject, str(principal.role)) == ("tA", "svc", "service")


@pytest.mark.parametrize(
    "changes",
    [
        {"tenant": ["tA"]},
        {"tenant": 0},
        {"tenant": ""},
        {"tenant": "t\u200bA"},
        {"tenant": "t" * 65},
        {"sub": {"name": "x"}},
        {"role": ["admin"]},
        {"role": "root"},
        {"iat": None},
        {"iat": "yesterday"},
        {"iat": int(time.time()) + 3600, "exp": int(time.time()) + 7200},
        {"exp": 2**62},
        {"exp": int(time.time()) + 86400 * 2},
    ],
    ids=lambda c: ",".join(f"{k}={str(v)[:12]}" for k, v in c.items()),
)
def test_malformed_or_endless_tokens_are_refused(codec: TokenCodec, changes: dict[str, object]) -> None:
    with pytest.raises(Unauthenticated) as refused:
        codec.verify(signed(**changes))
    assert refused.value.reason == "TOKEN_INVALID"


def test_minting_refuses_a_lifetime_above_the_cap(tmp_path: Path) -> None:
    env = Env({"LEADFLOW_JWT_HS256_KEY": KEY, "LEADFLOW_JWT_MAX_LIFETIME_SECONDS": "3600"})
    capped = TokenCodec(AuthSettings.from_env(env, tmp_path))
    with pytest.raises(ValueError, match="at most 3600 s"):
        capped.mint(tenant="tA", role="admin", ttl_seconds=7200)
    assert capped.verify(capped.mint(tenant="tA", role="admin", ttl_seconds=3600)).tenant_id == "tA"
