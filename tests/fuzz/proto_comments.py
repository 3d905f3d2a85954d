"""What the .proto comments say about fields that descriptors do not carry: which are output only, which required.

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


def output_only_fields() -> frozenset[tuple[str, str]]:
    """(message full name, field name) of every field whose comment says "output only"."""
    return frozenset(
        k for k, text in field_comments().items() if "output only" in text or "output-only" in text
    )


def required_fields() -> frozenset[tuple[str, str]]:
    """(message full name, field name) of every field whose comment ends a sentence with "required" ("...;
    required." or "Required.")."""
    return frozenset(k for k, text in field_comments().items() if re.search(r"(^|[;.] ?)required\.", text))


@functools.cache
def field_comments() -> dict[tuple[str, str], str]:
    """The comment above each field, lower-cased, by (message full name, field name)."""
    found: dict[tuple[str, str], str] = {}
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
                text = " ".join(c.lstrip("/ ") for c in comment).lower()
                found[(".".join([package, *stack]), match.group(1))] = text
            comment = []
    return found
