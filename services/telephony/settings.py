"""Environment configuration of the telephony service. Its domain settings arrive with its issue."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from services.common.config import ServiceSettings


@dataclass(frozen=True)
class TelephonySettings:
    common: ServiceSettings


def load(environ: Mapping[str, str] | None = None) -> TelephonySettings:
    return TelephonySettings(common=ServiceSettings.from_env("telephony", environ))
