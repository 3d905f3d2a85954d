"""Aliyun's SDK (~28 MB of RSS with its HTTP stack) is loaded only by a telephony service configured for Aliyun."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(("configured", "loaded"), [(False, "False"), (True, "True")])
def test_building_telephony_loads_the_sdk_only_with_aliyun_configured(
    configured: bool, loaded: str, tmp_path: Path
) -> None:
    extra = (
        "env.update(LEADFLOW_TELEPHONY_ALIYUN_ACCESS_KEY_ID='id', LEADFLOW_TELEPHONY_ALIYUN_ACCESS_KEY_SECRET='s',"
        " LEADFLOW_TELEPHONY_ALIYUN_POOL_KEY='pool',"
        " LEADFLOW_TELEPHONY_RECEIPT_TOKEN='t' * 32)\n"
        if configured
        else ""
    )
    code = (
        "import sys\n"
        "from services.telephony import bootstrap, settings\n"
        "from tests.harness import service_environ\n"
        f"env = service_environ('telephony', {str(tmp_path)!r}, 'nats://127.0.0.1:1')\n"
        f"{extra}"
        "app = bootstrap.build_app(settings.load(env))\n"
        "print(any(m.split('.')[0] in ('alibabacloud_dyplsapi20170525', 'Tea') for m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == loaded
