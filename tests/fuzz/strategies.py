"""Hypothesis strategies for any protobuf message, built from its descriptor: every field type, enums in and out of
range, oneofs (at most one member set), repeated and map fields, nested messages to a bounded depth, and the
well-known Timestamp, Duration and FieldMask with hostile values.

Phone numbers go only into the fields meant to carry one (``carries_phone``); every other string is drawn without
anything that looks like a Chinese mobile number, so the personal-data scan can tell a leak from an echo of an id.
"""

from __future__ import annotations

import functools
import random
import re
import string
from collections.abc import Callable
from typing import Any

from google.protobuf import message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from hypothesis import strategies as st

# A Chinese mobile number in any of the textual forms people write (13800138000, +86 138 0013 8000, 138-0013-8000),
# not part of a longer token (so a trace id or a ULID that happens to hold eleven digits in a row does not count).
MOBILE_RE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?![0-9A-Za-z])")

# Fields (by name) whose value is a phone number or may be one: the lead's numbers, WeChat ids (often a phone
# number), the blocklist's entries and the platform's virtual numbers.
PHONE_FIELD_NAMES = frozenset(
    {"phone", "wechat", "alternate_phones", "phone_extension", "phone_number", "dial_number", "masked_number"}
)
PHONE_FIELDS_BY_MESSAGE = {"leadflow.ingest.v1.BlocklistEntry": frozenset({"value"})}

MAX_DEPTH = 3
MAX_ITEMS = 4
TIMESTAMP_SECONDS = [
    0,
    1,
    -1,
    1_760_000_000,
    1_800_000_000,
    -62_135_596_800,
    253_402_300_799,
    10**12,
    -(10**12),
]

# Strings that have broken parsers elsewhere: control characters, bidi overrides, full-width text, SQL, JSON,
# combining marks, a BOM, surrogate-adjacent and private-use code points, numbers in odd notations.
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202eabc",
    "ｖｉｐ",
    "😀" * 30,
    "'; DROP TABLE leads; --",
    '{"a": 1}',
    "e\u0301",
    "\ufeff",
    "\u200b",
    "\r\n\t",
    "null",
    "0",
    "-1",
    "1e309",
    "NaN",
    "\U0010ffff",
    "\ue000",
    "../../etc/passwd",
    "%s%s%n",
    "${jndi:ldap://x}",
    "*",
    "00000000-0000-0000-0000-000000000000",
    "01ARZ3NDEKTSV4RRFFQ69G5FAV",
    "acct-1",
    "Asia/Shanghai",
    "Mars/Olympus",
    "CNY",
    "usd",
]
# Over-long values: beyond any bound a field has, yet well inside the 4 MiB message limit.
OVERLONG = ["x" * 300, "名" * 1001, "a" * 10_000]
FLOATS = [0.0, -0.0, 0.5, 1.0, -1.0, 100.25, float("nan"), float("inf"), float("-inf"), 1e308, 5e-324]
BYTES = [b"", b"\x00", b"\xff" * 16, b"not utf-8 \xc3\x28", bytes(range(256))]
# None of them is an example number the services quote in their messages (13800138000 and the like): those are
# not leaks, so the scan ignores them (test_personal_data_scan).
PHONES_VALID = ["13912345670", "+8613912345678", "8615011112222", "0086 177 0000 1111", "139-1234-5671"]
PHONES_BAD = ["12345", "abc", "+1 650 253 0000", "010-12345678", "400-800-8888", "１", "+86", "1380013800"]


def has_mobile(text: str) -> bool:
    return MOBILE_RE.search(text) is not None


def carries_phone(container: Descriptor, field: FieldDescriptor) -> bool:
    return field.name in PHONE_FIELD_NAMES or field.name in PHONE_FIELDS_BY_MESSAGE.get(
        container.full_name, frozenset()
    )


def mobiles() -> st.SearchStrategy[str]:
    """Valid Chinese mobile numbers in the forms people paste them."""
    national = st.builds(
        lambda second, rest: "1" + second + rest,
        st.sampled_from("3456789"),
        st.text(string.digits, min_size=9, max_size=9),
    )
    forms: list[Callable[[str], str]] = [
        lambda n: n,
        lambda n: "+86" + n,
        lambda n: f"{n[:3]} {n[3:7]} {n[7:]}",
        lambda n: f"+86 {n[:3]}-{n[3:7]}-{n[7:]}",
    ]
    return st.builds(lambda n, form: form(n), national, st.sampled_from(forms))


def phone_text() -> st.SearchStrategy[str]:
    return st.one_of(mobiles(), st.sampled_from(PHONES_VALID + PHONES_BAD), plain_text())


def _text_pool(size: int = 400, seed: int = 11) -> list[str]:
    """Arbitrary strings drawn once (ASCII ids, any Unicode, control characters) and then sampled: Hypothesis' own
    text strategy costs milliseconds a draw on a loaded machine, which 500 cases of 73 RPCs cannot afford."""
    rng = random.Random(seed)
    alphabets = [
        string.ascii_letters + string.digits + "-_.",
        string.printable,
        "".join(chr(c) for c in range(0x4E00, 0x4E80)) + "，。！？ａｂｃ１２３",
    ]
    pool = []
    for _ in range(size):
        if rng.random() < 0.25:
            text = "".join(chr(rng.randrange(0, 0x110000)) for _ in range(rng.randrange(1, 12)))
        else:
            alphabet = rng.choice(alphabets)
            text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
        pool.append("".join(c for c in text if not 0xD800 <= ord(c) <= 0xDFFF))
    return pool


TEXT_POOL = [text for text in NASTY + OVERLONG + _text_pool() if not has_mobile(text)]


@functools.cache
def plain_text() -> st.SearchStrategy[str]:
    """Any string but a phone number: hostile constants, over-long values, and arbitrary text."""
    return st.sampled_from(TEXT_POOL)


def _integers(bits: int, signed: bool) -> st.SearchStrategy[int]:
    low, high = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)
    edges = sorted(v for v in {low, high, -1, 0, 1, 100, 10**6, 2**31 - 1, 2**31} if low <= v <= high)
    small = list(range(-3 if signed else 0, 51))
    return st.one_of(st.sampled_from(edges + small), st.integers(low, high))


_INT_BITS = {
    FieldDescriptor.TYPE_INT32: (32, True),
    FieldDescriptor.TYPE_SINT32: (32, True),
    FieldDescriptor.TYPE_SFIXED32: (32, True),
    FieldDescriptor.TYPE_INT64: (64, True),
    FieldDescriptor.TYPE_SINT64: (64, True),
    FieldDescriptor.TYPE_SFIXED64: (64, True),
    FieldDescriptor.TYPE_UINT32: (32, False),
    FieldDescriptor.TYPE_FIXED32: (32, False),
    FieldDescriptor.TYPE_UINT64: (64, False),
    FieldDescriptor.TYPE_FIXED64: (64, False),
}


def _timestamp_like(descriptor: Descriptor) -> st.SearchStrategy[Message]:
    """Timestamp and Duration: ordinary, edge and out-of-range seconds; nanos in and out of range."""
    cls = message_factory.GetMessageClass(descriptor)
    seconds = st.one_of(st.sampled_from(TIMESTAMP_SECONDS), st.integers(-(10**6), 10**10))
    nanos = st.one_of(
        st.just(0), st.integers(0, 999_999_999), st.sampled_from([-1, 10**9, -(2**31), 2**31 - 1])
    )
    return st.builds(lambda s, n: cls(seconds=s, nanos=n), seconds, nanos)


def _field_mask(container: Descriptor) -> st.SearchStrategy[Message]:
    """Paths naming fields of the messages beside the mask (what it is meant to select), plus junk."""
    cls = message_factory.GetMessageClass(container.fields_by_name["update_mask"].message_type)
    names: set[str] = set()
    for field in container.fields:
        if field.message_type is not None and field.message_type.full_name != "google.protobuf.FieldMask":
            names.update(f.name for f in field.message_type.fields)
    path = st.one_of(st.sampled_from(sorted(names) or ["name"]), st.sampled_from(["*", "", "a.b", "x" * 300]))
    return st.builds(lambda paths: cls(paths=paths), st.lists(path, max_size=MAX_ITEMS))


def _scalar(container: Descriptor, field: FieldDescriptor, depth: int) -> st.SearchStrategy[Any]:
    kind = field.type
    if kind in _INT_BITS:
        return _integers(*_INT_BITS[kind])
    if kind == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if kind == FieldDescriptor.TYPE_DOUBLE:
        return st.sampled_from(FLOATS)
    if kind == FieldDescriptor.TYPE_FLOAT:
        return st.sampled_from(FLOATS[:-2])
    if kind == FieldDescriptor.TYPE_STRING:
        return phone_text() if carries_phone(container, field) else plain_text()
    if kind == FieldDescriptor.TYPE_BYTES:
        return st.sampled_from(BYTES)
    if kind == FieldDescriptor.TYPE_ENUM:
        numbers = [v.number for v in field.enum_type.values]
        wrong = [-1, max(numbers) + 1, 9999, 2**31 - 1, -(2**31)]
        return st.one_of(st.sampled_from(numbers), st.sampled_from(wrong))
    if kind == FieldDescriptor.TYPE_MESSAGE:
        full_name = field.message_type.full_name
        if full_name in ("google.protobuf.Timestamp", "google.protobuf.Duration"):
            return _timestamp_like(field.message_type)
        if full_name == "google.protobuf.FieldMask":
            return _field_mask(container)
        return messages(field.message_type, depth + 1)
    raise AssertionError(f"unhandled field type {kind} of {container.full_name}.{field.name}")


def _is_map(field: FieldDescriptor) -> bool:
    return (
        field.type == FieldDescriptor.TYPE_MESSAGE
        and field.message_type.GetOptions().map_entry
        and field.is_repeated
    )


def _field_value(container: Descriptor, field: FieldDescriptor, depth: int) -> st.SearchStrategy[Any]:
    if _is_map(field):
        entry = field.message_type
        key = _scalar(entry, entry.fields_by_name["key"], depth)
        value = _scalar(entry, entry.fields_by_name["value"], depth)
        return st.dictionaries(key, value, max_size=MAX_ITEMS)
    if field.is_repeated:
        return st.lists(_scalar(container, field, depth), max_size=MAX_ITEMS)
    return _scalar(container, field, depth)


def _assign(message: Message, field: FieldDescriptor, value: Any) -> None:
    target = getattr(message, field.name) if field.is_repeated else None
    if _is_map(field):
        for key, item in value.items():
            if isinstance(item, Message):
                target[key].CopyFrom(item)  # type: ignore[index]
            else:
                target[key] = item  # type: ignore[index]
    elif target is not None:
        target.extend(value)  # type: ignore[attr-defined]
    elif field.type == FieldDescriptor.TYPE_MESSAGE:
        getattr(message, field.name).CopyFrom(value)
    else:
        setattr(message, field.name, value)


@functools.cache
def messages(descriptor: Descriptor, depth: int = 0) -> st.SearchStrategy[Message]:
    """Messages of ``descriptor``'s type with any subset of fields set (one member per oneof at most); nested
    messages stop at ``MAX_DEPTH``."""
    cls = message_factory.GetMessageClass(descriptor)
    if depth >= MAX_DEPTH:
        return st.just(cls())
    real_oneofs = [o for o in descriptor.oneofs if not _is_synthetic(o)]
    values = {field.name: _field_value(descriptor, field, depth) for field in descriptor.fields}
    everything = 2 ** len(descriptor.fields) - 1
    presence = st.one_of(st.sampled_from([0, everything]), st.integers(0, everything))

    @st.composite
    def build(draw: st.DrawFn) -> Message:
        message = cls()
        chosen = {o.name: draw(st.sampled_from([None, *(f.name for f in o.fields)])) for o in real_oneofs}
        present = draw(presence)  # one draw for all fields: a bit per field
        for bit, field in enumerate(descriptor.fields):
            oneof = field.containing_oneof
            if oneof is not None and not _is_synthetic(oneof):
                if chosen[oneof.name] != field.name:
                    continue
            elif not present >> bit & 1:
                continue
            _assign(message, field, draw(values[field.name]))
        return message

    return build()


def _is_synthetic(oneof: Any) -> bool:
    """The oneof protoc makes for a proto3 ``optional`` field: its field is an ordinary optional field here."""
    fields = list(oneof.fields)
    return len(fields) == 1 and oneof.name == "_" + fields[0].name
