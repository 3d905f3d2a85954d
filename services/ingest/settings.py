"""Environment configuration of the ingest service.

Besides the shared settings (``LEADFLOW_INGEST_GRPC_PORT``, ``LEADFLOW_INGEST_DATABASE_URL``,
``LEADFLOW_INGEST_DB_POOL_SIZE``, ...):

- ``LEADFLOW_INGEST_DEDUP_ADDRESS`` (default ``127.0.0.1:50052``): the dedup service, called synchronously by
  SubmitLead, BatchSubmitLeads and ImportLeads;
- ``LEADFLOW_INGEST_DEDUP_TIMEOUT_SECONDS`` (default 2): the deadline of every call to dedup; when dedup does not
  answer in time the submission fails with UNAVAILABLE and nothing is stored;
- ``LEADFLOW_INGEST_FINGERPRINT_KEY`` (at least 32 characters): the master key of the keyed hashes sent to dedup.
  Each tenant's key is derived from it (HMAC-SHA256(master, "leadflow/fingerprint/" + tenant)); dedup never holds
  it. Unset, a local run keeps a random key in ``<data dir>/fingerprint.key``. Changing it makes every later
  submission look new to dedup: it is a one-way door, rotate only with a re-keying of the dedup index;
- ``LEADFLOW_PII_KEYS``: the master keys that seal personal fields of ingest's events (the lead's phone), see
  ``services.common.sealing``; a local run keeps a random key in ``<data dir>/pii.keys``;
- ``LEADFLOW_INGEST_IMPORT_CHUNK`` (default 200, 1..500): ImportLeads items processed per dedup batch and write
  transaction;
- ``LEADFLOW_INGEST_GROUP_COMMIT_MS`` (default 2, 0..50; 0 turns it off): group commit of SubmitLead. Concurrent
  calls of one tenant are gathered for up to this many milliseconds into one BatchClaimLeads call and one write
  transaction; each caller is answered (or fails) on its own, with the same idempotency as alone. A lone call waits
  the whole window, so this is latency traded for CPU per lead under load;
- ``LEADFLOW_INGEST_GROUP_COMMIT_MAX`` (default 64, 1..100): calls per group; a full group goes at once.

Push delivery (线索推送):

- ``LEADFLOW_INGEST_PUSH_TIMEOUT_SECONDS`` (default 10): the deadline of one push attempt;
- ``LEADFLOW_INGEST_PUSH_RETRY_BASE_SECONDS`` (default 10) and ``LEADFLOW_INGEST_PUSH_RETRY_CAP_SECONDS``
  (default 3600): exponential backoff with full jitter between attempts, from the base up to the cap;
- ``LEADFLOW_INGEST_PUSH_GIVE_UP_SECONDS`` (default 86400): no attempt later than this after the first one;
- ``LEADFLOW_INGEST_PUSH_ALLOW_HTTP`` and ``LEADFLOW_INGEST_PUSH_ALLOW_PRIVATE_NETWORKS`` (default false): accept
  plain-http endpoints and endpoints on loopback or private addresses. For local development and tests only:
  pushes carry personal data, and private addresses open the door to SSRF.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from services.common.config import ConfigError, Env, ServiceSettings, secret_key
from services.common.sealing import KeyRing

DEFAULT_DEDUP_ADDRESS = "127.0.0.1:50052"


@dataclass(frozen=True)
class PushSettings:
    """Push delivery settings, as read (bootstrap turns them into the dispatcher's and sender's configuration)."""

    allow_http: bool = False
    allow_private_networks: bool = False
    send_timeout: timedelta = timedelta(seconds=10)
    retry_base: timedelta = timedelta(seconds=10)
    retry_cap: timedelta = timedelta(seconds=3600)
    give_up_after: timedelta = timedelta(days=1)

    @property
    def lease(self) -> timedelta:
        """A claimed delivery stays hidden from other workers for longer than any attempt can take."""
        return max(timedelta(seconds=60), 2 * self.send_timeout + timedelta(seconds=5))


@dataclass(frozen=True)
class IngestSettings:
    common: ServiceSettings
    dedup_address: str = DEFAULT_DEDUP_ADDRESS
    dedup_timeout_seconds: float = 2.0
    dedup_max_in_flight: int = 4
    fingerprint_key: bytes = b""
    pii_keys: KeyRing | None = None  # seals the lead's phone on the bus (LEADFLOW_PII_KEYS)
    import_chunk: int = 200
    group_commit_seconds: float = 0.002
    group_commit_max: int = 64
    push: PushSettings = field(default_factory=lambda: PushSettings())


def load(environ: Mapping[str, str] | None = None) -> IngestSettings:
    env = Env(environ)
    common = ServiceSettings.from_env("ingest", environ)
    timeout = env.float("LEADFLOW_INGEST_DEDUP_TIMEOUT_SECONDS", 2.0, minimum=0.01)
    return IngestSettings(
        common=common,
        dedup_address=env.str("LEADFLOW_INGEST_DEDUP_ADDRESS", DEFAULT_DEDUP_ADDRESS),
        dedup_timeout_seconds=timeout,
        dedup_max_in_flight=env.int("LEADFLOW_INGEST_DEDUP_MAX_IN_FLIGHT", 4, minimum=1, maximum=256),
        fingerprint_key=secret_key(
            env, "LEADFLOW_INGEST_FINGERPRINT_KEY", common.data_dir, "fingerprint.key"
        ),
        pii_keys=KeyRing.from_env(env, common.data_dir),
        import_chunk=env.int("LEADFLOW_INGEST_IMPORT_CHUNK", 200, minimum=1, maximum=500),
        group_commit_seconds=env.int("LEADFLOW_INGEST_GROUP_COMMIT_MS", 2, minimum=0, maximum=50) / 1000,
        group_commit_max=env.int("LEADFLOW_INGEST_GROUP_COMMIT_MAX", 64, minimum=1, maximum=100),
        push=_push_settings(env),
    )


def _push_settings(env: Env) -> PushSettings:
    timeout = env.float("LEADFLOW_INGEST_PUSH_TIMEOUT_SECONDS", 10.0, minimum=0.1)
    base = env.float("LEADFLOW_INGEST_PUSH_RETRY_BASE_SECONDS", 10.0, minimum=0.01)
    cap = env.float("LEADFLOW_INGEST_PUSH_RETRY_CAP_SECONDS", 3600.0, minimum=0.01)
    if cap < base:
        raise ConfigError("LEADFLOW_INGEST_PUSH_RETRY_CAP_SECONDS", "must not be below the retry base")
    give_up = env.float("LEADFLOW_INGEST_PUSH_GIVE_UP_SECONDS", 86400.0, minimum=1.0)
    return PushSettings(
        allow_http=env.bool("LEADFLOW_INGEST_PUSH_ALLOW_HTTP", False),
        allow_private_networks=env.bool("LEADFLOW_INGEST_PUSH_ALLOW_PRIVATE_NETWORKS", False),
        send_timeout=timedelta(seconds=timeout),
        retry_base=timedelta(seconds=base),
        retry_cap=timedelta(seconds=cap),
        give_up_after=timedelta(seconds=give_up),
    )
