"""Who is calling: the verified principal and, for staff, the agent linked to its JWT subject (``Agent.user_id``).

Administrators and services see every agent's assignments; an agent sees and acts on its own only. An agent-role
caller whose subject is linked to no agent can do nothing agent-specific (PERMISSION_DENIED, NO_AGENT_FOR_CALLER).
"""

from __future__ import annotations

from dataclasses import dataclass

from services.assign.domain.agents import Agent
from services.assign.domain.ports import AssignUnitOfWork
from services.assign.domain.tags import Actor
from services.common.auth import Principal, Role
from services.common.errors import PermissionDenied


@dataclass(frozen=True)
class Caller:
    principal: Principal
    agent: Agent | None

    @property
    def tenant(self) -> str:
        return self.principal.tenant_id

    @property
    def is_admin(self) -> bool:
        return self.principal.role == Role.ADMIN

    @property
    def sees_all(self) -> bool:
        """Administrators and services read every agent's leads; agents their own."""
        return self.principal.role in (Role.ADMIN, Role.SERVICE)

    @property
    def agent_id(self) -> str:
        return self.agent.id if self.agent is not None else ""

    @property
    def actor(self) -> Actor:
        return Actor(agent_id=self.agent_id, is_admin=self.is_admin)

    def require_agent(self) -> Agent:
        if self.agent is None:
            raise PermissionDenied(
                "the caller is linked to no agent (set the agent's user_id to the caller's subject)",
                reason="NO_AGENT_FOR_CALLER",
            )
        return self.agent

    def require_self_or_admin(self, agent_id: str, what: str) -> None:
        """Agents act for themselves only; administrators for anyone."""
        if not self.is_admin and agent_id != self.agent_id:
            raise PermissionDenied(f"an agent may {what} only for itself", reason="NOT_OWN_AGENT")


def caller_of(uow: AssignUnitOfWork, principal: Principal) -> Caller:
    agent = uow.agents.by_user(principal.tenant_id, principal.subject) if principal.subject else None
    return Caller(principal, agent)
