"""The events the telephony service consumes. None yet: the telephony issue adds its consumers here."""

from __future__ import annotations

from services.common.runtime import ConsumerSpec


def consumer_specs() -> list[ConsumerSpec]:
    return []
