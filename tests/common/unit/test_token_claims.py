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
        # Ids that do not hold the time: every xdist worker must collect the same tests.
        pytest.param({"iat": int(time.time()) + 3600, "exp": int(time.time()) + 7200}, id="iat=in an hour"),
        {"exp": 2**62},
        pytest.param({"exp": int(time.time()) + 86400 * 2}, id="exp=in two days"),
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


class _CountingDecode:
    """jwt.decode, counted: how many signature checks the codec really ran."""

    def __init__(self) -> None:
        self.calls = 0
        self._decode = jwt.decode

    def __call__(self, *args: object, **kwargs: object) -> object:
        self.calls += 1
        return self._decode(*args, **kwargs)  # type: ignore[arg-type]


def test_a_verified_token_is_checked_once_while_it_lives(
    codec: TokenCodec, monkeypatch: pytest.MonkeyPatch
) -> None:
    counting = _CountingDecode()
    monkeypatch.setattr("services.common.auth.jwt.decode", counting)
    token = signed()
    principals = {codec.verify(token) for _ in range(5)}
    assert len(principals) == 1 and counting.calls == 1
    codec.verify(signed(sub="other"))
    assert counting.calls == 2


def test_the_cache_never_answers_for_a_token_at_or_after_its_exp(
    codec: TokenCodec, monkeypatch: pytest.MonkeyPatch
) -> None:
    exp = int(time.time()) + 600
    token = signed(exp=exp)
    counting = _CountingDecode()
    monkeypatch.setattr("services.common.auth.jwt.decode", counting)
    codec.verify(token)
    clock = [exp - 0.001]
    monkeypatch.setattr("services.common.auth.time.time", lambda: clock[0])
    codec.verify(token)
    assert counting.calls == 1  # still alive: answered from the cache
    clock[0] = float(exp)
    codec.verify(token)  # the real clock says it is still valid, but the cache did not answer
    assert counting.calls == 2


def test_a_token_verified_before_it_expired_is_refused_after(codec: TokenCodec) -> None:
    exp = int(time.time()) + 1
    token = signed(exp=exp)
    codec.verify(token)
    while time.time() <= exp:
        time.sleep(0.05)
    with pytest.raises(Unauthenticated) as refused:
        codec.verify(token)
    assert refused.value.reason == "TOKEN_EXPIRED"
