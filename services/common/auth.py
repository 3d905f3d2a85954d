"""JWT bearer tokens carrying tenant, subject and role. HS256 with a configured key; RS256 optional."""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum

import jwt

from services.common.config import AuthSettings
from services.common.errors import PermissionDenied, Unauthenticated


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
                options={"require": ["exp", "sub", "tenant", "role"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("the bearer token has expired", reason="TOKEN_EXPIRED") from None
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"the bearer token is not valid: {exc}", reason="TOKEN_INVALID") from None
        try:
            role = Role(claims["role"])
        except ValueError:
            raise Unauthenticated(
                "the bearer token carries an unknown role", reason="TOKEN_INVALID"
            ) from None
        tenant = str(claims["tenant"])
        if not tenant:
            raise Unauthenticated("the bearer token carries an empty tenant", reason="TOKEN_INVALID")
        return Principal(tenant_id=tenant, subject=str(claims["sub"]), role=role), float(claims["exp"])

    def mint(self, *, tenant: str, role: Role | str, subject: str = "dev", ttl_seconds: int = 86400) -> str:
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
