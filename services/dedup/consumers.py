"""The events dedup consumes: none. Ingest calls dedup synchronously (ClaimLead), and only ingest does."""

from __future__ import annotations

from services.common.runtime import ConsumerSpec


def consumer_specs() -> list[ConsumerSpec]:
    return []
