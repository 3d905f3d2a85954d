"""Environment configuration of the assign service. Its domain settings arrive with its issue."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from services.common.config import ServiceSettings


@dataclass(frozen=True)
class AssignSettings:
    common: ServiceSettings


def load(environ: Mapping[str, str] | None = None) -> AssignSettings:
    return AssignSettings(common=ServiceSettings.from_env("assign", environ))
