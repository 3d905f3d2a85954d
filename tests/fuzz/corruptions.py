"""One-field corruptions of a request, found from its descriptor: an enum out of range, a string far over any
bound, a phone field holding no phone number, a required id (or enum) left empty (required as the proto comments
say, ``proto_comments``). Each names the field path a caller must see in the BadRequest field
violations of the INVALID_ARGUMENT it gets.

The request around the corrupted field is a plausible one built from the descriptor (``base_request``: ids shaped
like ids, enums at their first real value, a mobile number in phone fields). When that base is itself rejected, a
validator that reports the first bad field may never reach the corrupted one; the test then says so (skip) rather
than pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from tests.fuzz.proto_comments import output_only_fields, required_fields
from tests.fuzz.rpcs import Rpc
from tests.fuzz.strategies import carries_phone

OVERLONG = "x" * 10_000
OUT_OF_RANGE_ENUM = 9999
BAD_PHONE = "12345"
# Requests that carry a lead as data: a malformed phone there is not an error but the lead's verdict (REJECTED,
# with its reason), as ingest_service.proto says, so its phone fields are not corrupted here.
VERDICT_NOT_ERROR = frozenset({"leadflow.ingest.v1.SubmitLeadRequest"})


@dataclass(frozen=True)
class Corruption:
    rpc: Rpc
    path: str  # "agent.display_name"
    kind: str  # "enum", "overlong", "phone"
    request: Message

    @property
    def id(self) -> str:
        return f"{self.rpc.id}:{self.path}:{self.kind}"


def _kinds(container: Descriptor, field: FieldDescriptor) -> list[tuple[str, object]]:
    if field.is_repeated:
        return []
    required = (container.full_name, field.name) in required_fields()
    if field.type == FieldDescriptor.TYPE_ENUM:
        return [("enum", OUT_OF_RANGE_ENUM)] + ([("unspecified", 0)] if required else [])
    if field.type == FieldDescriptor.TYPE_STRING:
        kinds: list[tuple[str, object]] = [("overlong", OVERLONG)] + ([("empty", "")] if required else [])
        if carries_phone(container, field) and container.full_name not in VERDICT_NOT_ERROR:
            kinds.append(("phone", BAD_PHONE))
        return kinds
    return []


PLAUSIBLE_ULID = "01JBX3M2Q3Z6Y7W8V9T0S1R2P3"


def _plausible(container: Descriptor, field: FieldDescriptor) -> object | None:
    """A value a well-behaved caller could send for ``field``, guessed from its type and name; None: leave unset."""
    name = field.name
    if container.full_name.endswith(".Money") and name == "units":
        return 1  # one yuan: an amount of zero is refused (a refund of nothing)
    if field.type == FieldDescriptor.TYPE_ENUM:
        values = [v.number for v in field.enum_type.values if v.number != 0]
        return values[0] if values else None
    if field.type != FieldDescriptor.TYPE_STRING:
        return None
    if carries_phone(container, field):
        return "+8613912345672"
    if name == "request_id":
        return "fuzz-request-0001"
    if "account_id" in name:
        return "acct-1"
    if name == "id" or name.endswith("_id"):
        return PLAUSIBLE_ULID
    if name in ("display_name", "name", "note", "reason_text"):
        return "Fuzz"
    if name.endswith("time_zone"):
        return "Asia/Shanghai"
    if name == "currency_code":
        return "CNY"
    if name == "provider":
        return "huawei"
    return None


def _fill(message: Message, descriptor: Descriptor) -> None:
    for field in descriptor.fields:
        if field.is_repeated or field.containing_oneof is not None and field.name != _synthetic(field):
            continue
        value = _plausible(descriptor, field)
        if value is not None:
            setattr(message, field.name, value)


def _synthetic(field: FieldDescriptor) -> str:
    oneof = field.containing_oneof
    return field.name if oneof is not None and oneof.name == "_" + field.name else ""


def base_request(rpc: Rpc, request_id: str = "fuzz-request-0001") -> Message:
    """A plausible request of ``rpc``: its scalar fields and those of its top-level messages filled by
    ``_plausible`` (Timestamps, lists and oneofs left unset)."""
    request = rpc.request_class()()
    _fill(request, rpc.input)
    for field in rpc.input.fields:
        inner = field.message_type
        if field.is_repeated or inner is None or inner.full_name.startswith("google.protobuf."):
            continue
        if field.containing_oneof is not None and field.name != _synthetic(field):
            continue
        _fill(getattr(request, field.name), inner)
    if "request_id" in rpc.input.fields_by_name:
        request.request_id = request_id  # type: ignore[attr-defined]
    return request


def corruptions(rpc: Rpc) -> Iterator[Corruption]:
    """Each top-level scalar field of ``rpc``'s request corrupted on its own, and each field of a top-level
    message (the resource of a Create/Update/Set) with an update mask naming it when the request has one."""
    has_mask = "update_mask" in rpc.input.fields_by_name
    for field in rpc.input.fields:
        for kind, value in _kinds(rpc.input, field):
            # Each corruption its own request_id: a reused one answers FAILED_PRECONDITION (REQUEST_ID_REUSED).
            request = base_request(rpc, f"fuzz-{field.name}-{kind}")
            setattr(request, field.name, value)
            yield Corruption(rpc, field.name, kind, request)
        inner = field.message_type
        if field.is_repeated or inner is None or inner.full_name.startswith("google.protobuf."):
            continue
        for nested in inner.fields:
            if nested.containing_oneof is not None and nested.name != _synthetic(nested):
                continue
            if (inner.full_name, nested.name) in output_only_fields():
                continue  # the server ignores what a caller sends there (AIP-203), so it is no error
            for kind, value in _kinds(inner, nested):
                request = base_request(rpc, f"fuzz-{field.name}.{nested.name}-{kind}")
                setattr(getattr(request, field.name), nested.name, value)
                if has_mask:
                    request.update_mask.paths.append(nested.name)  # type: ignore[attr-defined]
                yield Corruption(rpc, f"{field.name}.{nested.name}", kind, request)
