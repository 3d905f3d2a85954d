"""JWT bearer tokens carrying tenant, subject and role. HS256 with a configured key; RS256 optional.

A token is accepted only when its claims have the types and shapes leadflow mints (RFC 7519 leaves claim types to the
application): ``tenant``, ``sub`` and ``role`` are non-empty strings without control characters (``tenant`` at most
64 characters, a tenant id and nothing else), ``iat`` and ``exp`` are numbers, ``iat`` is not in the future, and the
token lives at most ``LEADFLOW_JWT_MAX_LIFETIME_SECONDS`` (default 24 h): a token signed with the real key but
carrying ``"tenant": ["tA"]`` or ``"exp": 2**62`` is refused, not read as tenant "['tA']" forever.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import jwt

from services.common.config import AuthSettings
from services.common.errors import PermissionDenied, Unauthenticated
from services.common.validation import has_control_characters

MAX_TENANT = 64
MAX_SUBJECT = 128


class Role(StrEnum):
    ADMIN = "admin"  # a tenant's administrator: policies, blocklists, agents
    AGENT = "agent"  # a sales agent using the CRM
    SERVICE = "service"  # another leadflow service or an ad platform integration


@dataclass(frozen=True)
class Principal:
    tenant_id: str
    subject: str
    role: Role


class TokenCodec:
    """Verifies and mints tokens. Verified tokens are remembered until they expire (bounded), because every RPC
    carries one and callers reuse the same token for many calls; a signature check per call is wasted work."""

    _CACHE_LIMIT = 4096

    def __init__(self, settings: AuthSettings) -> None:
        self._settings = settings
        self._verified: dict[str, tuple[Principal, float]] = {}

    def verify(self, token: str) -> Principal:
        cached = self._verified.get(token)
        if cached is not None and cached[1] > time.time():
            return cached[0]
        principal, expires = self._verify_signature(token)
        if len(self._verified) >= self._CACHE_LIMIT:
            self._verified.clear()
        self._verified[token] = (principal, expires)
        return principal

    def _verify_signature(self, token: str) -> tuple[Principal, float]:
        key = (
            self._settings.hs256_key
            if self._settings.algorithm == "HS256"
            else self._settings.rs256_public_key
        )
        assert key is not None  # AuthSettings.from_env refuses an algorithm without its key
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[self._settings.algorithm],
                audience=self._settings.audience,
                issuer=self._settings.issuer,
                options={"require": ["exp", "iat", "sub", "tenant", "role"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("the bearer token has expired", reason="TOKEN_EXPIRED") from None
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"the bearer token is not valid: {exc}", reason="TOKEN_INVALID") from None
        tenant = _text_claim(claims, "tenant", MAX_TENANT)
        subject = _text_claim(claims, "sub", MAX_SUBJECT)
        try:
            role = Role(_text_claim(claims, "role", 16))
        except ValueError:
            raise _invalid("the bearer token carries an unknown role") from None
        issued, expires = _time_claim(claims, "iat"), _time_claim(claims, "exp")
        if expires - issued > self._settings.max_lifetime_seconds:
            raise _invalid(f"the bearer token lives longer than {self._settings.max_lifetime_seconds} s")
        return Principal(tenant_id=tenant, subject=subject, role=role), expires

    def mint(self, *, tenant: str, role: Role | str, subject: str = "dev", ttl_seconds: int = 86400) -> str:
        if ttl_seconds > self._settings.max_lifetime_seconds:
            raise ValueError(
                f"a token may live at most {self._settings.max_lifetime_seconds} s (LEADFLOW_JWT_MAX_LIFETIME_SECONDS)"
            )
        if self._settings.algorithm == "HS256":
            key = self._settings.hs256_key
        else:
            key = self._settings.rs256_private_key
        if key is None:
            raise ValueError(f"minting {self._settings.algorithm} tokens needs its signing key")
        now = int(time.time())
        claims = {
            "sub": subject,
            "tenant": tenant,
            "role": str(Role(role)),
            "iss": self._settings.issuer,
            "aud": self._settings.audience,
            "iat": now,
            "exp": now + ttl_seconds,
        }
        return jwt.encode(claims, key, algorithm=self._settings.algorithm)


def require_role(principal: Principal, allowed: frozenset[Role]) -> None:
    if principal.role not in allowed:
        raise PermissionDenied(
            f"role {principal.role.value} may not call this method", reason="ROLE_NOT_ALLOWED"
        )


def _invalid(message: str) -> Unauthenticated:
    return Unauthenticated(message, reason="TOKEN_INVALID")


def _text_claim(claims: dict[str, Any], name: str, limit: int) -> str:
    value = claims[name]
    if not isinstance(value, str) or not value or len(value) > limit or has_control_characters(value):
        raise _invalid(
            f"the bearer token's {name!r} claim must be a string of 1 to {limit} printable characters"
        )
    return value


def _time_claim(claims: dict[str, Any], name: str) -> float:
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid(f"the bearer token's {name!r} claim must be a number of seconds")
    return float(value)
