"""How a service describes what it serves: its gRPC services and which roles may call each method."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import grpc

from services.common.auth import Role

ALL_ROLES = frozenset(Role)
STAFF = frozenset({Role.ADMIN, Role.AGENT})
ADMIN_ONLY = frozenset({Role.ADMIN})
SERVICES_AND_ADMINS = frozenset({Role.ADMIN, Role.SERVICE})
SERVICE_ONLY = frozenset({Role.SERVICE})


@dataclass(frozen=True)
class GrpcBinding:
    """One gRPC service: its full name, how to add it to a server, and the roles allowed per method.

    A method missing from ``method_roles`` gets ``default_roles``; public methods (health, reflection) are
    not bound here and need no token.

    ``method_callers`` makes a method internal: only the named service identities may call it (ARCHITECTURE §6, "a
    service accepts internal-only RPCs only from the callers named in its bootstrap"). An identity is the ``sub`` of
    a ``service``-role token and, when the caller presents a client certificate (mTLS), that certificate's common
    name too; see ``services.common.grpcserver.callers``.
    """

    service_name: str
    add_to_server: Callable[[grpc.aio.Server], None]
    method_roles: Mapping[str, frozenset[Role]] = field(default_factory=dict)
    default_roles: frozenset[Role] = SERVICES_AND_ADMINS
    method_callers: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def roles_for(self, method: str) -> frozenset[Role]:
        return self.method_roles.get(method, self.default_roles)

    def callers_for(self, method: str) -> frozenset[str] | None:
        """The service identities allowed to call ``method``; None when any caller with an allowed role may."""
        return self.method_callers.get(method)
