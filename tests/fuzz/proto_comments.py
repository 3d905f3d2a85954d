"""What the .proto comments say about fields that descriptors do not carry: which fields are output only.

The generated code has no source comments and the protos use no field_behavior annotations, so the comments above
each field (AIP style, "...; output only.") are read from protos/ directly.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

PROTOS = Path(__file__).resolve().parents[2] / "protos"
_PACKAGE = re.compile(r"^\s*package\s+([\w.]+)\s*;")
_MESSAGE = re.compile(r"^\s*message\s+(\w+)\s*\{")
_FIELD = re.compile(r"^\s*(?:optional\s+|repeated\s+)?[\w.<>, ]+?\s+(\w+)\s*=\s*\d+")


@functools.cache
def output_only_fields() -> frozenset[tuple[str, str]]:
    """(message full name, field name) of every field whose comment says "output only"."""
    found: set[tuple[str, str]] = set()
    for path in sorted(PROTOS.rglob("*.proto")):
        package, stack, comment = "", [], []  # type: ignore[var-annotated]
        for line in path.read_text().splitlines():
            stripped = line.strip()
            if match := _PACKAGE.match(line):
                package = match.group(1)
            elif stripped.startswith("//"):
                comment.append(stripped)
                continue
            elif match := _MESSAGE.match(line):
                stack.append(match.group(1))
            elif stripped.startswith("}") and stack and not stripped.startswith("})"):
                stack.pop()
            elif stack and (match := _FIELD.match(line)):
                text = " ".join(comment).lower()
                if "output only" in text or "output-only" in text:
                    found.add((".".join([package, *stack]), match.group(1)))
            comment = []
    return frozenset(found)
