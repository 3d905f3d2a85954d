"""Per-call context: the verified principal, readable by servicers without passing it around."""

from __future__ import annotations

import contextvars

from services.common.auth import Principal
from services.common.errors import Unauthenticated

_principal: contextvars.ContextVar[Principal | None] = contextvars.ContextVar("principal", default=None)


def current_principal() -> Principal:
    principal = _principal.get()
    if principal is None:
        # Only reachable for a method wired as public that still asks for a principal: a wiring bug made visible.
        raise Unauthenticated("this method needs a bearer token", reason="TOKEN_MISSING")
    return principal


def peek_principal() -> Principal | None:
    """The call's principal, or None (a public method, or a call refused before its token was read)."""
    return _principal.get()


def set_principal(principal: Principal | None) -> contextvars.Token[Principal | None]:
    return _principal.set(principal)


def reset_principal(token: contextvars.Token[Principal | None]) -> None:
    _principal.reset(token)
