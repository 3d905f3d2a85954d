"""Assign use cases, one module per family: ``agents`` (agents and teams), ``policies``, ``intake`` (lead.accepted
and lead.duplicate routed by the policy), ``assignments`` (我的线索), ``pool`` (claims, releases, reassignments),
``followups`` (follow-ups, calls, conversion), ``tags``, ``refunds`` and ``timers`` (reminders and reclaim).
Shared pieces: ``callers`` (who is calling), ``requests`` (idempotency), ``moves`` (starting and ending
assignments with their timers and events)."""
