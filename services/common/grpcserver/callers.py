"""Internal RPCs answer only the services named for them: the caller's service identity, from its token and its
client certificate.

A token signed with the deployment's key proves a role, not which service minted it: every leadflow service (and
``leadflow token``) holds the HS256 key, and ad platforms' integrations get ``service`` tokens too. So an internal
method (``GrpcBinding.method_callers``) asks for both:

- a ``service``-role token whose ``sub`` is one of the allowed identities (ingest mints ``sub: ingest``);
- when the connection carries a verified client certificate (mTLS, ``LEADFLOW_TLS_CA_FILE`` on the server), its
  common name (or one of its DNS names) must be an allowed identity as well, so a service holding the signing key
  but another service's certificate is refused. The mtls component issues each service's certificate with the
  service name as its common name.

A refusal is PERMISSION_DENIED with reason CALLER_NOT_ALLOWED; it never says which identity would have passed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from services.common.auth import Principal, Role
from services.common.errors import PermissionDenied

_COMMON_NAME = "x509_common_name"
_DNS_NAMES = "x509_subject_alternative_name"


def peer_identities(auth_context: Mapping[str, Sequence[bytes]]) -> frozenset[str] | None:
    """The names of the client certificate the connection was verified with; None without one (plain TCP, or TLS
    without client authentication)."""
    names = [*auth_context.get(_COMMON_NAME, ()), *auth_context.get(_DNS_NAMES, ())]
    if not names:
        return None
    return frozenset(name.decode("utf-8", "replace") for name in names)


def check_caller(
    principal: Principal, allowed: frozenset[str], peer: frozenset[str] | None, method: str
) -> None:
    """Raise PermissionDenied unless the caller is one of ``allowed`` (see the module docstring)."""
    by_token = principal.role is Role.SERVICE and principal.subject in allowed
    by_certificate = peer is None or not peer.isdisjoint(allowed)
    if not (by_token and by_certificate):
        raise PermissionDenied(
            f"{method} is internal: only the services named for it may call it", reason="CALLER_NOT_ALLOWED"
        )
