"""Environment configuration of the dedup service.

Besides the shared settings (``LEADFLOW_DEDUP_GRPC_PORT``, ``LEADFLOW_DEDUP_DATABASE_URL``,
``LEADFLOW_DEDUP_DB_POOL_SIZE``, ...):

- ``LEADFLOW_DEDUP_BATCH_CHUNK`` (default 100, 1..500): BatchClaimLeads items per database transaction;
- ``LEADFLOW_DEDUP_MAX_ATTEMPTS`` (default 8, 1..50): transaction attempts when claims lose a race (deadlock,
  serialization failure, compare-and-set) before the call answers ABORTED.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from services.common.config import Env, ServiceSettings


@dataclass(frozen=True)
class DedupSettings:
    common: ServiceSettings
    batch_chunk: int = 100
    max_attempts: int = 8


def load(environ: Mapping[str, str] | None = None) -> DedupSettings:
    env = Env(environ)
    return DedupSettings(
        common=ServiceSettings.from_env("dedup", environ),
        batch_chunk=env.int("LEADFLOW_DEDUP_BATCH_CHUNK", 100, minimum=1, maximum=500),
        max_attempts=env.int("LEADFLOW_DEDUP_MAX_ATTEMPTS", 8, minimum=1, maximum=50),
    )
