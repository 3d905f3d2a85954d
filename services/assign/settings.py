"""Environment configuration of the assign service.

Besides the shared settings (``LEADFLOW_ASSIGN_GRPC_PORT``, ``LEADFLOW_ASSIGN_DATABASE_URL``,
``LEADFLOW_ASSIGN_DB_POOL_SIZE``, ...):

- ``LEADFLOW_ASSIGN_MAX_ATTEMPTS`` (default 8, 1..50): transaction attempts when a change loses a race (rotation
  or assignment compare-and-set, a capacity counter filled meanwhile, deadlock) before the call answers ABORTED;
- ``LEADFLOW_ASSIGN_REQUEST_KEY`` (at least 32 characters): the key of the digests that bind request ids to their
  requests (AIP-155). Unset, a local run keeps a random key in ``<data dir>/assign-request.key``;
- ``LEADFLOW_PII_KEYS`` (``services.common.sealing``): the master keys that seal the agent's phone in agent
  events (telephony holds the same keys to open it); a local run keeps one in ``<data dir>/pii.keys``;
- ``LEADFLOW_ASSIGN_GAUGE_SECONDS`` (default 15, 1..600): how often the pool and overdue-reminder gauges refresh;
- ``LEADFLOW_ASSIGN_OVERDUE_GRACE_SECONDS`` (default 60): a reminder due longer ago than this and not sent counts
  as overdue (``leadflow_assign_reminders_overdue``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from services.common.config import ConfigError, Env, ServiceSettings, secret_key
from services.common.sealing import KeyRing


@dataclass(frozen=True)
class AssignSettings:
    common: ServiceSettings
    request_key: bytes = b"r" * 32
    max_attempts: int = 8
    pii_keys: KeyRing | None = None
    gauge_seconds: float = 15.0
    overdue_grace_seconds: float = 60.0


def load(environ: Mapping[str, str] | None = None) -> AssignSettings:
    env = Env(environ)
    common = ServiceSettings.from_env("assign", environ)
    gauges = env.float("LEADFLOW_ASSIGN_GAUGE_SECONDS", 15.0, minimum=1.0)
    if gauges > 600:
        raise ConfigError("LEADFLOW_ASSIGN_GAUGE_SECONDS", f"must be <= 600, got {gauges}")
    return AssignSettings(
        common=common,
        request_key=secret_key(env, "LEADFLOW_ASSIGN_REQUEST_KEY", common.data_dir, "assign-request.key"),
        max_attempts=env.int("LEADFLOW_ASSIGN_MAX_ATTEMPTS", 8, minimum=1, maximum=50),
        pii_keys=KeyRing.from_env(env, common.data_dir),
        gauge_seconds=gauges,
        overdue_grace_seconds=env.float("LEADFLOW_ASSIGN_OVERDUE_GRACE_SECONDS", 60.0, minimum=0.0),
    )
