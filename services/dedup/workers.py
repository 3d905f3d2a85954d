"""Dedup's background loops and timers: none. Every change happens inside a request."""

from __future__ import annotations

from services.common.runtime import BackgroundTask


def background_tasks() -> list[BackgroundTask]:
    return []
