"""Environment configuration of the refund service. Its domain settings arrive with its issue."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from services.common.config import ServiceSettings


@dataclass(frozen=True)
class RefundSettings:
    common: ServiceSettings


def load(environ: Mapping[str, str] | None = None) -> RefundSettings:
    return RefundSettings(common=ServiceSettings.from_env("refund", environ))
