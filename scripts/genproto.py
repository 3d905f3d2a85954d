#!/usr/bin/env python3
"""Regenerate the Python code for every .proto under protos/ into the repo-root package leadflow/.

Generated modules import as ``leadflow.<svc>.v1.<file>_pb2`` (plus ``_pb2_grpc`` and ``.pyi`` stubs), for example
``from leadflow.ingest.v1 import ingest_service_pb2, ingest_service_pb2_grpc, events_pb2``.

leadflow/ holds only generated code and empty ``__init__.py`` files. The script first removes every generated file,
``__init__.py``, ``__pycache__`` and emptied directory under it, so that deleted protos do not linger, and refuses to
run if anything else is found there. The output is byte-identical from run to run for a given grpcio-tools version,
so CI can run it and fail on ``git diff``.

Usage: python scripts/genproto.py  (from any directory)
"""

from __future__ import annotations

import importlib.resources
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "protos"
OUT_PACKAGE = ROOT / "leadflow"
GENERATED_SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py")


def _is_generated(path: Path) -> bool:
    return path.name == "__init__.py" or path.name.endswith(GENERATED_SUFFIXES)


def clean() -> None:
    """Remove the previous output, and fail if leadflow/ holds anything that this script did not write."""
    if not OUT_PACKAGE.exists():
        return
    for cache in sorted(OUT_PACKAGE.rglob("__pycache__"), reverse=True):
        shutil.rmtree(cache)
    strangers = sorted(p for p in OUT_PACKAGE.rglob("*") if p.is_file() and not _is_generated(p))
    if strangers:
        names = ", ".join(str(p.relative_to(ROOT)) for p in strangers)
        sys.exit(f"genproto: leadflow/ must hold only generated code; move these files elsewhere: {names}")
    for path in OUT_PACKAGE.rglob("*"):
        if path.is_file():
            path.unlink()
    # Deepest directories first, so that parents are empty when their turn comes.
    for directory in sorted((p for p in OUT_PACKAGE.rglob("*") if p.is_dir()), reverse=True):
        directory.rmdir()
    OUT_PACKAGE.rmdir()


def generate() -> list[Path]:
    protos = sorted(p.relative_to(ROOT).as_posix() for p in PROTO_DIR.rglob("*.proto"))
    if not protos:
        sys.exit("genproto: no .proto files under protos/")
    well_known = importlib.resources.files("grpc_tools") / "_proto"
    command = [
        sys.executable,
        "-m",
        "grpc_tools.protoc",
        f"--proto_path={PROTO_DIR.relative_to(ROOT).as_posix()}",
        f"--proto_path={well_known}",
        "--python_out=.",
        "--grpc_python_out=.",
        "--pyi_out=.",
        *protos,
    ]
    subprocess.run(command, cwd=ROOT, check=True)
    return [Path(p) for p in protos]


def write_init_files() -> None:
    """Create an empty __init__.py in leadflow/ and in every directory below it."""
    directories = {OUT_PACKAGE}
    for generated in OUT_PACKAGE.rglob("*_pb2*.py*"):
        parent = generated.parent
        while parent != OUT_PACKAGE:
            directories.add(parent)
            parent = parent.parent
    for directory in sorted(directories):
        (directory / "__init__.py").write_bytes(b"")


def main() -> None:
    clean()
    protos = generate()
    if not OUT_PACKAGE.is_dir():
        sys.exit("genproto: protoc wrote nothing under leadflow/; do the protos use package leadflow.*?")
    write_init_files()
    count = sum(1 for _ in OUT_PACKAGE.rglob("*_pb2*.py*"))
    print(f"genproto: {len(protos)} protos -> {count} files under leadflow/")


if __name__ == "__main__":
    main()
