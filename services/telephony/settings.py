"""Environment configuration of the telephony service.

Besides the shared settings (``LEADFLOW_TELEPHONY_GRPC_PORT``, ``LEADFLOW_TELEPHONY_DATABASE_URL``, ...):

- ``LEADFLOW_TELEPHONY_DEFAULT_CARRIER`` (``simulated`` or ``aliyun``, default ``simulated``): the carrier of added
  numbers that name none;
- ``LEADFLOW_TELEPHONY_SIMULATOR_SEED`` (default 0): the simulated carrier's random seed;
- ``LEADFLOW_TELEPHONY_ALIYUN_ACCESS_KEY_ID``, ``..._ACCESS_KEY_SECRET``, ``..._POOL_KEY``: enable the Aliyun
  carrier (all three, or none); ``..._ENDPOINT`` (default ``dyplsapi.aliyuncs.com``), ``..._PROTOCOL`` (HTTPS or
  HTTP), ``..._TIMEOUT_SECONDS`` (default 5), ``..._RECORD_CALLS`` (default false);
- ``LEADFLOW_TELEPHONY_RECEIPT_PORT`` (default 0: no receipt endpoint unless Aliyun is enabled, then 9204) and
  ``LEADFLOW_TELEPHONY_RECEIPT_HOST`` (default 127.0.0.1): where Aliyun pushes SecretReport receipts
  (``POST /aliyun/secret-report``); ``LEADFLOW_TELEPHONY_RECEIPT_TOKEN`` (at least 32 characters, required with
  Aliyun): the shared secret the push URL carries (``?token=``) or the ``X-Leadflow-Token`` header;
- ``LEADFLOW_PII_KEYS``: the keys that open the lead's and agent's sealed phones (``services.common.sealing``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from services.common.config import ConfigError, Env, ServiceSettings
from services.common.sealing import KeyRing
from services.telephony.adapters.carriers.aliyun_config import DEFAULT_ENDPOINT, AliyunConfig

PREFIX = "LEADFLOW_TELEPHONY_"
DEFAULT_RECEIPT_PORT = 9204


@dataclass(frozen=True)
class TelephonySettings:
    common: ServiceSettings
    default_carrier: str = "simulated"
    simulator_seed: int = 0
    aliyun: AliyunConfig | None = None
    receipt_host: str = "127.0.0.1"
    receipt_port: int | None = None  # None: no receipt endpoint
    receipt_token: str = ""
    pii_keys: KeyRing | None = None


def _aliyun(env: Env) -> AliyunConfig | None:
    names = ("ACCESS_KEY_ID", "ACCESS_KEY_SECRET", "POOL_KEY")
    values = {name: env.raw(f"{PREFIX}ALIYUN_{name}") for name in names}
    if not any(values.values()):
        return None
    for name, value in values.items():
        if value is None:
            raise ConfigError(f"{PREFIX}ALIYUN_{name}", "is required when the Aliyun carrier is configured")
    return AliyunConfig(
        access_key_id=values["ACCESS_KEY_ID"] or "",
        access_key_secret=values["ACCESS_KEY_SECRET"] or "",
        pool_key=values["POOL_KEY"] or "",
        endpoint=env.str(f"{PREFIX}ALIYUN_ENDPOINT", DEFAULT_ENDPOINT),
        protocol=env.choice(f"{PREFIX}ALIYUN_PROTOCOL", "HTTPS", ("HTTPS", "HTTP")),
        timeout_seconds=env.float(f"{PREFIX}ALIYUN_TIMEOUT_SECONDS", 5.0, minimum=0.1),
        record_calls=env.bool(f"{PREFIX}ALIYUN_RECORD_CALLS", False),
    )


def load(environ: Mapping[str, str] | None = None) -> TelephonySettings:
    env = Env(environ)
    common = ServiceSettings.from_env("telephony", environ)
    aliyun = _aliyun(env)
    default_carrier = env.choice(f"{PREFIX}DEFAULT_CARRIER", "simulated", ("simulated", "aliyun"))
    if default_carrier == "aliyun" and aliyun is None:
        raise ConfigError(f"{PREFIX}DEFAULT_CARRIER", "is aliyun but the Aliyun carrier is not configured")
    port = env.port(f"{PREFIX}RECEIPT_PORT", DEFAULT_RECEIPT_PORT if aliyun else 0)
    token = env.raw(f"{PREFIX}RECEIPT_TOKEN") or ""
    if aliyun is not None and len(token) < 32:
        raise ConfigError(
            f"{PREFIX}RECEIPT_TOKEN", "must be at least 32 characters when Aliyun is configured"
        )
    receipts_wanted = aliyun is not None or env.raw(f"{PREFIX}RECEIPT_PORT") is not None
    return TelephonySettings(
        common=common,
        default_carrier=default_carrier,
        simulator_seed=env.int(f"{PREFIX}SIMULATOR_SEED", 0),
        aliyun=aliyun,
        receipt_host=env.str(f"{PREFIX}RECEIPT_HOST", "127.0.0.1"),
        receipt_port=port if receipts_wanted else None,
        receipt_token=token,
        pii_keys=KeyRing.from_env(env, common.data_dir),
    )
