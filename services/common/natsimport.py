"""nats-py without the aiohttp it imports for WebSocket URLs (~9 MB of RSS in every service that never uses them).

``nats.aio.transport`` imports aiohttp, if installed, for ``ws://`` and ``wss://`` servers only; leadflow connects
with ``nats://`` or ``tls://`` (``ServiceSettings`` refuses any other URL). ``install`` (run by
``services.common``'s ``__init__``, so before any of our code imports nats) adds a finder that loads that one
module with aiohttp hidden, as nats-py's own ``except ImportError`` branch expects when aiohttp is not installed.
Nothing else changes: code that needs aiohttp for itself (telephony's receipt endpoint) imports it as usual, and
when aiohttp was imported before nats, nats-py gets it.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

_TRANSPORT = "nats.aio.transport"
_OPTIONAL = "aiohttp"


class _WithoutAiohttp(importlib.abc.Loader):
    def __init__(self, inner: importlib.abc.Loader) -> None:
        self._inner = inner

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._inner.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        hide = _OPTIONAL not in sys.modules
        if hide:
            sys.modules[_OPTIONAL] = None  # type: ignore[assignment]  # "import aiohttp" raises ImportError
        try:
            self._inner.exec_module(module)
        finally:
            if hide and sys.modules.get(_OPTIONAL, ModuleType("x")) is None:
                del sys.modules[_OPTIONAL]

    def __getattr__(self, name: str) -> Any:  # get_source, get_filename ... for tracebacks and tools
        return getattr(self._inner, name)


class _NatsTransportFinder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != _TRANSPORT:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _WithoutAiohttp(spec.loader)
        return spec


def install() -> None:
    """Load nats-py's transport module without aiohttp from now on; idempotent. No effect once it is loaded."""
    if not any(isinstance(finder, _NatsTransportFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _NatsTransportFinder())
