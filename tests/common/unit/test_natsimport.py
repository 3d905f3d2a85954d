"""nats-py loads without aiohttp in a service (its WebSocket transport is the only user, and leadflow's NATS URLs are
nats:// or tls://), while code that imports aiohttp itself still gets it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _run(code: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_a_service_imports_nats_without_aiohttp_and_aiohttp_still_imports_after() -> None:
    code = (
        "import sys\n"
        "from services.dedup import bootstrap\n"
        "import nats.aio.transport as transport\n"
        "print('aiohttp' in sys.modules, transport.aiohttp is None)\n"
        "from aiohttp import web\n"
        "print(web.Application is not None)\n"
    )
    assert _run(code) == ["False", "True", "True"]


def test_aiohttp_imported_before_nats_is_left_to_nats() -> None:
    code = (
        "import aiohttp\n"
        "import services.common.runtime\n"
        "import nats.aio.transport as transport\n"
        "print(transport.aiohttp is aiohttp)\n"
    )
    assert _run(code) == ["True"]
