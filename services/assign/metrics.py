"""Assign business metrics (METRICS.md). Labels are bounded: method, reason and role names, never a tenant, lead,
agent or phone.

- ``leadflow_assign_assignments_total{method,reason}``: leads given to an agent or to the pool. ``method`` is the
  deciding rule's method (DESIGNATED, ROUND_ROBIN, WEIGHTED, LEAST_LOADED, POOL) or NONE (familiarity, a claim,
  a reassignment, or no rule matched); ``reason`` is the assignment reason (RULE, FAMILIARITY, POOL_CLAIM,
  REASSIGN) or, for the pool, the pool reason (NO_RULE_MATCHED, NO_AGENT_AVAILABLE, BELOW_SCORE_GRADE,
  RULE_METHOD_POOL).
- ``leadflow_assign_pool_leads``: leads waiting in the pool (all tenants), refreshed by a background loop.
- ``leadflow_assign_reminders_overdue``: reminder timers past their due time by more than the grace period and
  not fired yet — the timer runner is stuck or behind (alert LeadflowRemindersOverdue).
- ``leadflow_assign_reminders_sent_total{role}``: reminder.due events, by recipient role (ASSIGNEE, TEAM_ADMIN).
- ``leadflow_assign_reclaims_total``: leads reclaimed to the pool (no first follow-up in time, or agent deleted).
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from services.assign.domain.assignments import Assignment
from services.assign.domain.enums import AssignmentMethod

ASSIGNMENTS = Counter(
    "leadflow_assign_assignments_total",
    "Leads given to an agent or to the pool, by the deciding rule's method and the reason.",
    ["method", "reason"],
)
POOL_LEADS = Gauge("leadflow_assign_pool_leads", "Leads waiting in the public pool.")
REMINDERS_OVERDUE = Gauge(
    "leadflow_assign_reminders_overdue",
    "Reminders past their due time (beyond the grace period) and not sent.",
)
REMINDERS_SENT = Counter(
    "leadflow_assign_reminders_sent_total", "Reminders sent, by recipient role.", ["role"]
)
RECLAIMS = Counter("leadflow_assign_reclaims_total", "Leads reclaimed from their agent to the pool.")

NONE = "NONE"


def count_assignment(assignment: Assignment, method: AssignmentMethod | None = None) -> None:
    ASSIGNMENTS.labels(method.name if method else NONE, assignment.reason.name).inc()


def count_pooled(reason_name: str, method: AssignmentMethod | None) -> None:
    ASSIGNMENTS.labels(method.name if method else NONE, reason_name).inc()
