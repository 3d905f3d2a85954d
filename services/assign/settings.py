"""Environment configuration of the assign service.

Besides the shared settings (``LEADFLOW_ASSIGN_GRPC_PORT``, ``LEADFLOW_ASSIGN_DATABASE_URL``,
``LEADFLOW_ASSIGN_DB_POOL_SIZE``, ...):

- ``LEADFLOW_ASSIGN_MAX_ATTEMPTS`` (default 8, 1..50): transaction attempts when a change loses a race (rotation
  or assignment compare-and-set, a capacity counter filled meanwhile, deadlock) before the call answers ABORTED;
- ``LEADFLOW_ASSIGN_REQUEST_KEY`` (at least 32 characters): the key of the digests that bind request ids to their
  requests (AIP-155). Unset, a local run keeps a random key in ``<data dir>/assign-request.key``;
- ``LEADFLOW_ASSIGN_TIMER_POLL_SECONDS`` (default 1, 0.05..60): the longest wait before due timers (reminders,
  reclaims) are looked for again when nothing woke the timer runner;
- ``LEADFLOW_ASSIGN_GAUGE_SECONDS`` (default 15, 1..600): how often the pool and overdue-reminder gauges refresh;
- ``LEADFLOW_ASSIGN_OVERDUE_GRACE_SECONDS`` (default 60): a reminder due longer ago than this and not sent counts
  as overdue (``leadflow_assign_reminders_overdue``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from services.common.config import ConfigError, Env, ServiceSettings, secret_key


@dataclass(frozen=True)
class AssignSettings:
    common: ServiceSettings
    request_key: bytes = b"r" * 32
    max_attempts: int = 8
    timer_poll_seconds: float = 1.0
    gauge_seconds: float = 15.0
    overdue_grace_seconds: float = 60.0


def load(environ: Mapping[str, str] | None = None) -> AssignSettings:
    env = Env(environ)
    common = ServiceSettings.from_env("assign", environ)
    poll = env.float("LEADFLOW_ASSIGN_TIMER_POLL_SECONDS", 1.0, minimum=0.05)
    if poll > 60:
        raise ConfigError("LEADFLOW_ASSIGN_TIMER_POLL_SECONDS", f"must be <= 60, got {poll}")
    gauges = env.float("LEADFLOW_ASSIGN_GAUGE_SECONDS", 15.0, minimum=1.0)
    if gauges > 600:
        raise ConfigError("LEADFLOW_ASSIGN_GAUGE_SECONDS", f"must be <= 600, got {gauges}")
    return AssignSettings(
        common=common,
        request_key=secret_key(env, "LEADFLOW_ASSIGN_REQUEST_KEY", common.data_dir, "assign-request.key"),
        max_attempts=env.int("LEADFLOW_ASSIGN_MAX_ATTEMPTS", 8, minimum=1, maximum=50),
        timer_poll_seconds=poll,
        gauge_seconds=gauges,
        overdue_grace_seconds=env.float("LEADFLOW_ASSIGN_OVERDUE_GRACE_SECONDS", 60.0, minimum=0.0),
    )
