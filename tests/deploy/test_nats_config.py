"""The NATS server configuration of both overlays is one nats-server accepts (``nats-server -t``), and the
permissions are derived from the event catalog."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from deploy.gen import catalog
from deploy.gen.natsauth import ADMIN_PASSWORD_VARIABLE, password_variable, publish_allow
from services.common import events
from services.common.natsbin import nats_server_binary
from tests.deploy.kube import of_kind, render


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_nats_server_accepts_the_rendered_configuration(overlay: str, tmp_path: Path) -> None:
    (config_map,) = [
        c for c in of_kind(render(overlay), "ConfigMap") if c["metadata"]["name"] == "nats-config"
    ]
    for name, text in config_map["data"].items():
        (tmp_path / name).write_text(text.replace("/data", str(tmp_path / "js")))
    env = {password_variable(s.name): "x" for s in catalog.SERVICE_CATALOG}
    env |= {ADMIN_PASSWORD_VARIABLE: "x", "SERVER_NAME": "nats-0"}
    done = subprocess.run(
        [nats_server_binary(), "-t", "-c", str(tmp_path / "nats.conf")],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "is valid" in done.stdout + done.stderr


def test_each_service_publishes_exactly_its_streams_subjects() -> None:
    for service in catalog.SERVICE_CATALOG:
        events_allowed = {s for s in publish_allow(service) if s.startswith("leadflow.")}
        own = set(events.STREAM_OF_SERVICE[service.name].subjects)
        assert own <= events_allowed
        planned = {s for s, producer in catalog.PLANNED_SUBJECTS.items() if producer == service.name}
        assert events_allowed == own | planned, service.name
        others = {
            s for n, spec in events.STREAM_OF_SERVICE.items() if n != service.name for s in spec.subjects
        }
        assert not events_allowed & others


def test_the_nats_statefulset_follows_the_chart() -> None:
    (statefulset,) = [s for s in of_kind(render("dev"), "StatefulSet") if s["metadata"]["name"] == "nats"]
    assert statefulset["metadata"]["labels"]["helm.sh/chart"] == "nats-2.14.2"
    containers = {c["name"]: c for c in statefulset["spec"]["template"]["spec"]["containers"]}
    assert set(containers) == {"nats", "reloader", "prom-exporter"}
    nats = containers["nats"]
    assert nats["lifecycle"]["preStop"]["exec"]["command"] == [
        "nats-server",
        "-sl=ldm=/var/run/nats/nats.pid",
    ]
    assert nats["readinessProbe"]["httpGet"]["path"] == "/healthz?js-server-only=true"
    assert nats["image"] == "nats:2.14.2-alpine"
    env = {e["name"] for e in nats["env"]}
    assert {password_variable(s.name) for s in catalog.SERVICE_CATALOG} <= env
    assert yaml.safe_dump(statefulset).count("/data") >= 1
