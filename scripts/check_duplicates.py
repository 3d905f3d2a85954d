#!/usr/bin/env python3
"""Fail when a run of six or more identical lines stands in two services under services/.

Plumbing that two services need lives once, in the shared runtime (services/common); this check keeps it there.
Lines are compared after stripping white space; blank lines, comments, imports and lines of lone punctuation are
passed over (they carry no logic). Left aside, as the template allows: migration scripts and table definitions
(their shapes repeat by design), and runs made only of dataclass field declarations.

Usage: python scripts/check_duplicates.py [--min-lines N]   (exit 1 and a report when duplicates are found)
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ROOT / "services"
SHARED = {"common", "__pycache__"}
SKIPPED_PARTS = {"migrations"}
SKIPPED_NAMES = {"tables.py", "push_tables.py"}
_PUNCTUATION = re.compile(r"^[\s()\[\]{},:;.]*$")
_FIELD = re.compile(r"^[A-Za-z_]\w*: [^=]+(=.*)?$")  # a dataclass field: name: type [= default]


def _import_lines(source: str) -> set[int]:
    """Line numbers of import statements, parenthesised continuation lines included."""
    numbers: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            numbers.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return numbers


def significant_lines(path: Path) -> list[tuple[int, str]]:
    source = path.read_text(encoding="utf-8")
    imports = _import_lines(source)
    lines = []
    for number, raw in enumerate(source.splitlines(), start=1):
        text = " ".join(raw.split())
        if not text or text.startswith("#") or _PUNCTUATION.match(text) or number in imports:
            continue
        lines.append((number, text))
    return lines


def service_files() -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for service in sorted(p for p in SERVICES.iterdir() if p.is_dir() and p.name not in SHARED):
        found[service.name] = [
            path
            for path in sorted(service.rglob("*.py"))
            if not (SKIPPED_PARTS & set(path.relative_to(service).parts)) and path.name not in SKIPPED_NAMES
        ]
    return found


def duplicates(min_lines: int) -> list[tuple[str, str]]:
    """Pairs of places (file:first-last) in different services sharing a run of ``min_lines`` identical lines."""
    windows: dict[bytes, list[tuple[str, Path, int, int]]] = defaultdict(list)
    for service, paths in service_files().items():
        for path in paths:
            lines = significant_lines(path)
            for start in range(len(lines) - min_lines + 1):
                window = lines[start : start + min_lines]
                texts = [text for _, text in window]
                if all(_FIELD.match(text) for text in texts):
                    continue
                digest = hashlib.sha256("\n".join(texts).encode()).digest()
                windows[digest].append((service, path, window[0][0], window[-1][0]))
    pairs: dict[tuple[Path, Path], tuple[str, str]] = {}
    for places in windows.values():
        for i, (service_a, path_a, first_a, last_a) in enumerate(places):
            for service_b, path_b, first_b, last_b in places[i + 1 :]:
                if service_a == service_b:
                    continue
                key = (path_a, path_b)
                if key not in pairs:  # report the first run of each pair of files
                    pairs[key] = (
                        f"{path_a.relative_to(ROOT)}:{first_a}-{last_a}",
                        f"{path_b.relative_to(ROOT)}:{first_b}-{last_b}",
                    )
    return sorted(pairs.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-lines", type=int, default=6)
    args = parser.parse_args()
    found = duplicates(args.min_lines)
    for a, b in found:
        print(f"duplicate: {a} ~ {b}")
    if found:
        print(
            f"{len(found)} pair(s) of services share {args.min_lines}+ identical lines: move it to services/common"
        )
        return 1
    print(f"no run of {args.min_lines}+ identical lines in two services")
    return 0


if __name__ == "__main__":
    sys.exit(main())
