"""AIP-158 pagination: page sizes and opaque, tamper-evident page tokens.

A page token is base64url(JSON cursor) plus an HMAC-SHA256 tag under the service's paging key. The tag also binds
the tenant and the request's filters, so a token cannot be edited, replayed by another tenant, or reused with
different filters; each of those answers INVALID_ARGUMENT naming ``page_token``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from services.common.errors import FieldViolation, InvalidArgument

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
_TAG_BYTES = 16

T = TypeVar("T")


def resolve_page_size(
    page_size: int, *, default: int = DEFAULT_PAGE_SIZE, maximum: int = MAX_PAGE_SIZE
) -> int:
    """0 means the default; above the maximum is capped (AIP-158); negative is an error."""
    if page_size < 0:
        raise InvalidArgument(FieldViolation("page_size", "must not be negative"))
    if page_size == 0:
        return default
    return min(page_size, maximum)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PageTokens:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def _tag(self, body: bytes, binding: str) -> bytes:
        return hmac.new(self._key, binding.encode() + b"\x00" + body, hashlib.sha256).digest()[:_TAG_BYTES]

    def encode(self, cursor: dict[str, Any], *, binding: str) -> str:
        """``binding`` is everything the token must not outlive: tenant, method and filters."""
        body = json.dumps(cursor, separators=(",", ":"), sort_keys=True).encode()
        return _b64(body) + "." + _b64(self._tag(body, binding))

    def decode(self, token: str, *, binding: str) -> dict[str, Any] | None:
        """The cursor of a token, or None for the empty token (the first page)."""
        if not token:
            return None
        try:
            body_text, tag_text = token.split(".", 1)
            body, tag = _unb64(body_text), _unb64(tag_text)
        except ValueError:
            raise _bad_token() from None
        if not hmac.compare_digest(tag, self._tag(body, binding)):
            raise _bad_token()
        try:
            cursor = json.loads(body)
        except ValueError:
            raise _bad_token() from None
        if not isinstance(cursor, dict):
            raise _bad_token()
        return cursor


def _bad_token() -> InvalidArgument:
    return InvalidArgument(
        FieldViolation("page_token", "is not a page token this server issued for these filters"),
        reason="INVALID_PAGE_TOKEN",
    )


def filter_binding(*parts: object) -> str:
    """A stable string of the values a page token is bound to."""
    return json.dumps([str(p) for p in parts], separators=(",", ":"))


def read_cursor(cursor: dict[str, Any] | None, *fields: tuple[str, type]) -> tuple[Any, ...] | None:
    """The values of a decoded cursor's ``fields`` ((name, type) pairs), in order; None for the first page.

    A cursor that lacks a field or holds a value of another type answers INVALID_ARGUMENT ``page_token`` (a token
    can only be wrong that way if this server changed its cursor shape between pages)."""
    if cursor is None:
        return None
    values = []
    for name, kind in fields:
        value = cursor.get(name)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise _bad_token()
        values.append(value)
    return tuple(values)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a List method (AIP-158): its items, the token of the next page ("" on the last page), and the
    number of matching items in all pages where the method counts them (else 0)."""

    items: list[T] = field(default_factory=list)
    next_page_token: str = ""
    total_size: int = 0


def next_page(
    rows: Sequence[T],
    size: int,
    tokens: PageTokens,
    binding: str,
    cursor_of: Callable[[T], dict[str, Any]],
    *,
    total_size: int = 0,
) -> Page[T]:
    """Assemble a page from ``rows`` fetched with limit ``size + 1``: the first ``size`` rows, and the token of the
    next page (the cursor of the last row returned) when there were more, else ""."""
    items = list(rows[:size])
    token = tokens.encode(cursor_of(items[-1]), binding=binding) if len(rows) > size and items else ""
    return Page(items, token, total_size)
