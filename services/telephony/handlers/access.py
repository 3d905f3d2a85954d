"""Who may act on what: the calling agent, the lead's holder, an administrator; and the checks of ids.

An agent is recognised by the subject of their JWT (assign's ``AgentSnapshot.user_id``). An agent sees and ends
only their own calls and releases only their own bindings; another agent's answers NOT_FOUND, as another tenant's
would. Administrators act on anything of their tenant.
"""

from __future__ import annotations

from services.common.auth import Principal, Role
from services.common.errors import PermissionDenied, ViolationCollector
from services.common.validation import check_identifier
from services.telephony.domain.parties import AgentRecord
from services.telephony.domain.ports import TelephonyUnitOfWork

MAX_ID = 128
MAX_REQUEST_ID = 64


def check_id(errors: ViolationCollector, path: str, value: str, *, required: bool = True) -> None:
    check_identifier(errors, path, value, MAX_ID, required=required)


def require_id(path: str, value: str) -> None:
    errors = ViolationCollector()
    check_id(errors, path, value)
    errors.raise_if_any()


def calling_agent(uow: TelephonyUnitOfWork, principal: Principal) -> AgentRecord:
    """The agent behind an AGENT token; PERMISSION_DENIED AGENT_UNKNOWN when telephony knows no such agent."""
    agent = uow.agents.by_user(principal.tenant_id, principal.subject)
    if agent is None:
        raise PermissionDenied(
            "the calling user is not an agent telephony knows (assign's agent events name each agent's user)",
            reason="AGENT_UNKNOWN",
        )
    return agent


def visible_agent(uow: TelephonyUnitOfWork, principal: Principal) -> str | None:
    """The only agent whose calls and bindings the principal may see, or None for all of the tenant's."""
    if principal.role is Role.AGENT:
        return calling_agent(uow, principal).agent_id
    return None
