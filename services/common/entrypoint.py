"""Process entry point shared by the five services: settings, logging, bootstrap, run."""

from __future__ import annotations

import asyncio
import importlib
import sys

from services.common.config import ConfigError
from services.common.grpcserver.server import PortInUse
from services.common.logs import configure_logging


def serve(service: str) -> int:
    try:
        settings = importlib.import_module(f"services.{service}.settings").load()
        configure_logging(service, settings.common.log_level)
        bootstrap = importlib.import_module(f"services.{service}.bootstrap")
        app = bootstrap.build_app(settings)
        return asyncio.run(bootstrap_run(app))
    except ConfigError as exc:
        print(f"leadflow {service}: configuration error: {exc}", file=sys.stderr)
        return 2
    except PortInUse as exc:
        print(f"leadflow {service}: {exc}", file=sys.stderr)
        return 3


async def bootstrap_run(app) -> int:  # type: ignore[no-untyped-def]
    from services.common.runtime import run_service

    return await run_service(app)
