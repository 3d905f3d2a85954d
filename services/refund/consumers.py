"""The events the refund service consumes. None yet: the refund issue adds its consumers here."""

from __future__ import annotations

from services.common.runtime import ConsumerSpec


def consumer_specs() -> list[ConsumerSpec]:
    return []
