"""Every overlay, with every combination of components, renders with kustomize and validates strictly against the
Kubernetes API schemas (kubernetes-validate --strict). Custom resources (Prometheus Operator, cert-manager,
CloudNativePG) have no schema there: their fields are checked in test_manifests.py."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.deploy.kube import KUBERNETES_VERSION, ROOT, combinations, render, render_text, tool

BUILTIN_GROUPS = {"v1", "apps/v1", "batch/v1", "policy/v1", "networking.k8s.io/v1", "autoscaling/v2"}
CUSTOM = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
    ("monitoring.coreos.com/v1", "PodMonitor"),
    ("monitoring.coreos.com/v1", "PrometheusRule"),
    ("cert-manager.io/v1", "Certificate"),
    ("cert-manager.io/v1", "Issuer"),
    ("postgresql.cnpg.io/v1", "Cluster"),
    ("postgresql.cnpg.io/v1", "Database"),
}


@pytest.mark.parametrize(
    ("overlay", "components"), combinations(), ids=lambda v: "+".join(v) if isinstance(v, tuple) else v
)
def test_renders_and_validates_strictly(overlay: str, components: tuple[str, ...], tmp_path: Path) -> None:
    docs = render(overlay, components)
    kinds = {(d["apiVersion"], d["kind"]) for d in docs}
    unknown = {k for k in kinds if k[0] not in BUILTIN_GROUPS and k not in CUSTOM}
    assert not unknown, f"resources no check covers: {unknown}"
    assert all(d["metadata"].get("namespace") == "leadflow" for d in docs)
    names = [(d["kind"], d["metadata"]["name"]) for d in docs]
    assert len(names) == len(set(names)), "a resource rendered twice"
    path = tmp_path / "rendered.yaml"
    path.write_text(render_text(overlay, components))
    done = subprocess.run(
        [
            tool("kubernetes-validate"),
            "--strict",
            "--quiet",
            "--kubernetes-version",
            KUBERNETES_VERSION,
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    errors = [line for line in (done.stdout + done.stderr).splitlines() if not line.startswith("WARN")]
    assert done.returncode == 0 and not errors, "\n".join(errors)


def test_the_validator_rejects_an_unknown_field(tmp_path: Path) -> None:
    # The check above would be worthless if strict mode let a typo through.
    path = tmp_path / "bad.yaml"
    path.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replica: 1\n"
        "  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n"
        "    spec: {containers: [{name: x, image: 'x:1'}]}\n"
    )
    done = subprocess.run(
        [
            tool("kubernetes-validate"),
            "--strict",
            "--quiet",
            "--kubernetes-version",
            KUBERNETES_VERSION,
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "replica" in done.stdout + done.stderr


def test_generated_files_are_current() -> None:
    done = subprocess.run(
        [tool("python"), "-m", "deploy.gen", "--check"], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
