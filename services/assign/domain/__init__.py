"""The assign domain: pure rules and plain dataclasses (no grpc, sqlalchemy, nats, prometheus or _pb2 imports).

Modules, one job each:

- ``enums``: the numbered enums of the assign and common contracts;
- ``hours``: daily windows, weekly shifts, local days and quiet hours in a time zone;
- ``agents``, ``availability``: agents and teams, and whether an agent can take a lead now;
- ``leads``, ``scoring``: what assign knows of a lead, and its score and grade;
- ``policy``, ``routing``, ``rotation``: the ordered rules, the decision for one lead, and the stored rotation state;
- ``assignments``, ``pool``, ``handover``, ``reclaim``: an agent holding a lead, the public pool (公海), claims,
  releases, reassignments, refunds, reclaim and cooling;
- ``followups``: follow-ups, calls counted as follow-ups, and the status changes they settle;
- ``tags``: enterprise and personal tags, and their use on leads;
- ``timers``, ``reminders``: persisted timers and the reminder schedule with escalation and quiet hours;
- ``checks``, ``agent_checks``, ``policy_checks``: input validation naming the bad field;
- ``errors``: the domain's errors with their reasons.

Times are timezone-aware datetimes (the stores keep UTC); durations are ``timedelta``.
"""
