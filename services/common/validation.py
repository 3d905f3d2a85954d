"""Checks of values every service receives: opaque identifiers and account ids.

One definition of "control character" for every service: any character of the Unicode general categories Cc
(controls, NUL included, which PostgreSQL text cannot store), Cf (format characters: zero-width space and joiner,
bidirectional marks, BOM), Cs (surrogates), Co (private use) and Cn (unassigned). An id that carries one is not an
id a person typed or a system generated on purpose, and two ids that differ only by an invisible character would
be two accounts.
"""

from __future__ import annotations

import unicodedata

from services.common.errors import ViolationCollector

MAX_ACCOUNT_ID = 128
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def has_control_characters(value: str) -> bool:
    """True when ``value`` holds a character of a category listed in the module docstring."""
    if value.isascii():
        # The fast path for the usual id (a dedup batch checks hundreds per call): the only ASCII characters of
        # those categories are the controls (Cc), which are exactly the ASCII characters str.isprintable refuses.
        return not value.isprintable()
    return any(unicodedata.category(ch) in _REFUSED_CATEGORIES for ch in value)


def check_identifier(
    errors: ViolationCollector, path: str, value: str, limit: int, *, required: bool = False
) -> None:
    """An opaque identifier: present when ``required``, at most ``limit`` characters, no control or format
    characters and no leading or trailing white space. Adds one violation on ``path`` when it is not."""
    if not value:
        if required:
            errors.add(path, "is required")
        return
    if len(value) > limit:
        errors.add(path, f"must be at most {limit} characters, got {len(value)}")
    elif has_control_characters(value) or value != value.strip():
        errors.add(path, "must not contain control characters or leading or trailing white space")


def check_account_id(errors: ViolationCollector, path: str, value: str, *, required: bool = True) -> None:
    """An ad account id (the identifier rules, at most ``MAX_ACCOUNT_ID`` characters)."""
    check_identifier(errors, path, value, MAX_ACCOUNT_ID, required=required)
