"""The telephony service's background loops and timers. None yet."""

from __future__ import annotations

from services.common.runtime import BackgroundTask


def background_tasks() -> list[BackgroundTask]:
    return []
