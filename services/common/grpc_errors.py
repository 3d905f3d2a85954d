"""The one mapping from domain errors to gRPC status, with google.rpc.ErrorInfo and BadRequest details.

Every error a service answers is bounded here, so its trailers always fit gRPC's metadata limit (16 KiB by default)
whatever the caller sent: the message, each field path and description, and each ErrorInfo value are cut to a fixed
length (a cut value ends with "…"), and at most ``MAX_VIOLATIONS`` field violations are listed, the last saying how
many more there were. An update mask of 10,000 characters still answers INVALID_ARGUMENT, never RESOURCE_EXHAUSTED.
"""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from services.common import errors

ERROR_DOMAIN = "leadflow.io"
MAX_MESSAGE = 1000
MAX_FIELD = 128
MAX_DESCRIPTION = 256
MAX_VIOLATIONS = 20
MAX_METADATA_ENTRIES = 10
MAX_METADATA_VALUE = 256


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, marked with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bounded_violations(violations: list[errors.FieldViolation]) -> list[errors.FieldViolation]:
    """At most ``MAX_VIOLATIONS`` violations with clipped paths and descriptions, the last counting the rest."""
    shown = [
        errors.FieldViolation(clip(v.field, MAX_FIELD), clip(v.description, MAX_DESCRIPTION))
        for v in violations[:MAX_VIOLATIONS]
    ]
    if len(violations) > MAX_VIOLATIONS:
        more = len(violations) - MAX_VIOLATIONS
        shown.append(errors.FieldViolation("request", f"and {more} more violations not listed"))
    return shown


_CODES: list[tuple[type[errors.DomainError], grpc.StatusCode]] = [
    (errors.InvalidArgument, grpc.StatusCode.INVALID_ARGUMENT),
    (errors.NotFound, grpc.StatusCode.NOT_FOUND),
    (errors.AlreadyExists, grpc.StatusCode.ALREADY_EXISTS),
    (errors.FailedPrecondition, grpc.StatusCode.FAILED_PRECONDITION),
    (errors.Aborted, grpc.StatusCode.ABORTED),
    (errors.Unavailable, grpc.StatusCode.UNAVAILABLE),
    (errors.ResourceExhausted, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (errors.PermissionDenied, grpc.StatusCode.PERMISSION_DENIED),
    (errors.Unauthenticated, grpc.StatusCode.UNAUTHENTICATED),
]


def status_code_for(error: errors.DomainError) -> grpc.StatusCode:
    for cls, code in _CODES:
        if isinstance(error, cls):
            return code
    # A DomainError subclass nobody mapped is a rule the caller broke, not a server bug.
    return grpc.StatusCode.FAILED_PRECONDITION


def _pack(message: object) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)  # type: ignore[arg-type]
    return packed


def build_status(
    code: grpc.StatusCode,
    message: str,
    reason: str,
    *,
    metadata: dict[str, str] | None = None,
    violations: list[errors.FieldViolation] | None = None,
) -> grpc.Status:
    bounded_metadata = {
        clip(key, MAX_FIELD): clip(value, MAX_METADATA_VALUE)
        for key, value in list((metadata or {}).items())[:MAX_METADATA_ENTRIES]
    }
    details = [
        _pack(error_details_pb2.ErrorInfo(reason=reason, domain=ERROR_DOMAIN, metadata=bounded_metadata))
    ]
    violations = bounded_violations(violations) if violations else None
    message = clip(message, MAX_MESSAGE)
    if violations:
        details.append(
            _pack(
                error_details_pb2.BadRequest(
                    field_violations=[
                        error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
                        for v in violations
                    ]
                )
            )
        )
    proto = status_pb2.Status(code=getattr(code_pb2, code.name), message=message, details=details)
    return rpc_status.to_status(proto)


def status_for(error: errors.DomainError) -> grpc.Status:
    violations = error.violations if isinstance(error, errors.InvalidArgument) else None
    return build_status(
        status_code_for(error), error.message, error.reason, metadata=error.metadata, violations=violations
    )


def field_violations_of(rpc_error: grpc.RpcError) -> list[tuple[str, str]]:
    """Client side: the (field, description) pairs of an error's BadRequest detail."""
    status = rpc_status.from_call(rpc_error)  # type: ignore[arg-type]
    found: list[tuple[str, str]] = []
    if status is None:
        return found
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            found.extend((v.field, v.description) for v in bad.field_violations)
    return found


def error_info_of(rpc_error: grpc.RpcError) -> error_details_pb2.ErrorInfo | None:
    status = rpc_status.from_call(rpc_error)  # type: ignore[arg-type]
    if status is None:
        return None
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info
    return None
