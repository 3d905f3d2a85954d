"""Environment configuration of the refund service.

Besides the shared settings (``LEADFLOW_REFUND_GRPC_PORT``, ``LEADFLOW_REFUND_DATABASE_URL``, ...):

- ``LEADFLOW_REFUND_LEDGER_CHECK_SECONDS`` (default 30, 1..3600): how often the ledger's balance is checked into
  ``leadflow_refund_ledger_imbalance_fen`` (a running sum that reads the entries posted lately and recounts the
  whole ledger every 6 hours, ``handlers.ledger_check``);
- ``LEADFLOW_REFUND_MAX_ATTEMPTS`` (default 8, 1..50): transaction attempts when a use case loses a race (two
  replicas evaluating one case) before the call answers ABORTED.

The refund rules are per account (UpdateRefundRules) and the callable hours are telephony's: refund has no setting
for either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from services.common.config import Env, ServiceSettings


@dataclass(frozen=True)
class RefundSettings:
    common: ServiceSettings
    ledger_check_seconds: int = 30
    max_attempts: int = 8


def load(environ: Mapping[str, str] | None = None) -> RefundSettings:
    env = Env(environ)
    return RefundSettings(
        common=ServiceSettings.from_env("refund", environ),
        ledger_check_seconds=env.int("LEADFLOW_REFUND_LEDGER_CHECK_SECONDS", 30, minimum=1, maximum=3600),
        max_attempts=env.int("LEADFLOW_REFUND_MAX_ATTEMPTS", 8, minimum=1, maximum=50),
    )
