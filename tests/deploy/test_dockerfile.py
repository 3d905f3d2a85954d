"""The Dockerfile, linted as text (no Docker engine runs here): hadolint-style rules we can check, plus ours.

Rule ids in brackets are hadolint's where one exists (https://github.com/hadolint/hadolint#rules).
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

import pytest

from tests.deploy.dockerfile import Dockerfile, parse

ROOT = Path(__file__).resolve().parents[2]
BUILD_TOOLS = ("gcc", "g++", "make", "build-essential", "cmake", "clang", "cargo", "rustc", "-dev ")


@pytest.fixture(scope="module")
def dockerfile() -> Dockerfile:
    return parse(ROOT / "Dockerfile")


def test_multi_stage_with_a_separate_runtime_stage(dockerfile: Dockerfile) -> None:
    assert len(dockerfile.stages) >= 2
    copies_from = [c.arguments for c in dockerfile.final.all("COPY") if "--from=" in c.arguments]
    assert copies_from, "the runtime stage takes what it needs from the build stage"


def test_every_base_image_is_pinned_to_a_version_or_digest(dockerfile: Dockerfile) -> None:
    stage_names = {s.name for s in dockerfile.stages}
    for stage in dockerfile.stages:
        image = dockerfile.resolve(stage.image)
        if image in stage_names:
            continue
        assert "$" not in image, f"{stage.image}: every ARG it uses needs a default"
        assert ":latest" not in image and not image.endswith("latest"), f"{image}: never latest [DL3007]"
        tag = image.split("@")[0].rsplit(":", 1)
        assert "@sha256:" in image or (len(tag) == 2 and re.match(r"\d+\.\d+\.\d+", tag[1])), (
            f"{image}: pin the base image by digest or by a full x.y.z version [DL3006]"
        )
        assert "slim" in image or "distroless" in image, (
            f"{image}: a slim base keeps the attack surface small"
        )


def test_the_runtime_runs_as_a_numeric_non_root_user(dockerfile: Dockerfile) -> None:
    users = dockerfile.final.all("USER")
    assert users, "the runtime stage sets USER [DL3002]"
    user = users[-1].arguments
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) >= 1000, f"USER {user}: numeric, so runAsNonRoot can check it"
    assert not gid or (gid.isdigit() and int(gid) > 0)
    assert dockerfile.final.instructions.index(users[-1]) > max(
        dockerfile.final.instructions.index(i) for i in dockerfile.final.all("RUN")
    ), "USER comes after every RUN of the runtime stage"


def test_no_build_tools_or_package_installs_in_the_runtime_stage(dockerfile: Dockerfile) -> None:
    for run in dockerfile.final.all("RUN"):
        text = f" {run.arguments} "
        assert "pip install" not in text, f"line {run.line}: install in the build stage, copy the result"
        assert "apt-get install" not in text and "apk add" not in text, (
            f"line {run.line}: no packages at runtime"
        )
        for tool in BUILD_TOOLS:
            assert f" {tool}" not in text, f"line {run.line}: {tool.strip()} in the runtime stage"


def test_the_build_stage_needs_no_compiler(dockerfile: Dockerfile) -> None:
    installs = [r for s in dockerfile.stages[:-1] for r in s.all("RUN") if "pip install" in r.arguments]
    assert installs
    for run in installs:
        assert "--only-binary=:all:" in run.arguments, "binary wheels only: no compiler, reproducible"
        assert "-e " not in run.arguments and "--editable" not in run.arguments


def test_runtime_copies_set_ownership_and_no_add(dockerfile: Dockerfile) -> None:
    for stage in dockerfile.stages:
        assert not stage.all("ADD"), "COPY, not ADD [DL3020]"
        assert not stage.all("MAINTAINER"), "MAINTAINER is deprecated [DL4000]"
    for copy in dockerfile.final.all("COPY"):
        assert "--chown=" in copy.arguments, (
            f"line {copy.line}: COPY --chown (files owned by root, read-only to us)"
        )
        assert "--chown=10001" not in copy.arguments, "the service user must not own its own code"


def test_entrypoint_is_the_leadflow_command_in_exec_form(dockerfile: Dockerfile) -> None:
    entrypoint = dockerfile.final.all("ENTRYPOINT")[-1].exec_form()
    cmd = dockerfile.final.all("CMD")[-1].exec_form()
    assert entrypoint == ["leadflow"], "exec form, so SIGTERM reaches leadflow itself [DL3025]"
    assert cmd is not None and cmd[0] == "serve"
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert "leadflow" in scripts


def test_workdirs_are_absolute_and_env_holds_no_secret(dockerfile: Dockerfile) -> None:
    for stage in dockerfile.stages:
        for workdir in stage.all("WORKDIR"):
            assert workdir.arguments.startswith("/"), "[DL3000]"
        for env in stage.all("ENV"):
            assert not re.search(r"(KEY|PASSWORD|SECRET|TOKEN)\w*=", env.arguments), (
                "secrets come from Kubernetes"
            )
        for run in stage.all("RUN"):
            assert "sudo " not in run.arguments, "[DL3004]"
            assert not re.search(r"curl[^|]*\|\s*(ba)?sh", run.arguments), "no curl | sh"


def _dockerignore() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _ignored(path: str, patterns: list[str]) -> bool:
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        body = pattern[1:] if negate else pattern
        body = body.rstrip("/")
        if fnmatch.fnmatch(path, body) or path.startswith(body + "/") or fnmatch.fnmatch(path, body + "/*"):
            ignored = not negate
    return ignored


def test_dockerignore_keeps_secrets_and_clutter_out_and_lets_every_copy_in(dockerfile: Dockerfile) -> None:
    patterns = _dockerignore()
    for clutter in (
        ".venv/bin/python",
        ".git/config",
        ".leadflow/dev-jwt.key",
        "tests/conftest.py",
        "bench/echo.py",
    ):
        assert _ignored(clutter, patterns), f"{clutter} must not enter the build context"
    for stage in dockerfile.stages:
        for copy in stage.all("COPY"):
            if "--from=" in copy.arguments:
                continue
            sources = [a for a in copy.arguments.split() if not a.startswith("--")][:-1]
            for source in sources:
                assert (ROOT / source).exists(), f"line {copy.line}: {source} does not exist"
                assert not _ignored(source.rstrip("/"), patterns), (
                    f"line {copy.line}: .dockerignore drops {source}"
                )
