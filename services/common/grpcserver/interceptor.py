"""One server interceptor for authentication, trace ids, metrics, logging and error mapping.

It wraps each method handler so that all four concerns run in the task that runs the RPC (contextvars set here
are visible to the servicer). Requests that do not decode become INVALID_ARGUMENT, not INTERNAL.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import grpc
from google.protobuf.message import DecodeError

from services.common import deadline, errors, telemetry, tracecontext
from services.common.auth import Principal, TokenCodec, require_role
from services.common.grpc_errors import build_status, status_for
from services.common.grpcserver.bindings import GrpcBinding
from services.common.grpcserver.callers import check_caller, peer_identities
from services.common.grpcserver.context import peek_principal, reset_principal, set_principal
from services.common.logs import trace_id_var
from services.common.metrics import GRPC_HANDLED, GRPC_HANDLING_SECONDS, GRPC_STARTED

log = logging.getLogger("leadflow.grpc")
access_logger = logging.getLogger("leadflow.access")


class _Undecodable:
    """Stands in for a request whose bytes did not parse, so the handler can answer INVALID_ARGUMENT."""


_UNDECODABLE = _Undecodable()


def _tolerant(deserializer: Callable[[bytes], Any] | None) -> Callable[[bytes], Any] | None:
    if deserializer is None:
        return None

    def deserialize(data: bytes) -> Any:
        try:
            return deserializer(data)
        except DecodeError:
            return _UNDECODABLE

    return deserialize


def _split_method(full_method: str) -> tuple[str, str]:
    _, service, method = full_method.split("/", 2)
    return service, method


class ServerInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, bindings: list[GrpcBinding], codec: TokenCodec, *, access_log: bool = False) -> None:
        """``access_log`` (``LEADFLOW_ACCESS_LOG``): one INFO line per call of a bound service on the
        ``leadflow.access`` logger: ``rpc`` (Service/Method), ``code`` (the status code's name), ``duration_ms`` and
        ``tenant`` (the token's; empty when the call was refused before it was read). Never the request, the answer
        or the metadata: they carry personal data and credentials. Health and reflection calls are not logged."""
        self._wrapped: dict[str, grpc.RpcMethodHandler] = {}
        self._bindings = {b.service_name: b for b in bindings}
        self._codec = codec
        self._access_log = access_log

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        # The wrapped handler of a method is built once: the services' handlers are registered before the server
        # starts and never change, and building it per call (closures, a method handler) was a third of the cost
        # of an empty call. What varies per call (metadata, deadline) is read from the call's context.
        full_method = handler_call_details.method
        wrapped = self._wrapped.get(full_method)
        if wrapped is None:
            handler = await continuation(handler_call_details)
            if handler is None:
                return handler  # an unknown method: UNIMPLEMENTED, answered by gRPC itself
            service, method = _split_method(full_method)
            wrapped = self._wrapped[full_method] = self._wrap(
                handler, service, method, self._bindings.get(service)
            )
        return wrapped

    def _authenticate(
        self, binding: GrpcBinding | None, method: str, metadata: Mapping[str, str]
    ) -> Principal | None:
        if binding is None:
            return None  # health and reflection are public: probes carry no token
        header = metadata.get("authorization", "")
        if not header.lower().startswith("bearer "):
            raise errors.Unauthenticated(
                "missing bearer token in the authorization metadata", reason="TOKEN_MISSING"
            )
        principal = self._codec.verify(header[7:].strip())
        require_role(principal, binding.roles_for(method))
        return principal

    @staticmethod
    def _check_caller(
        binding: GrpcBinding | None,
        method: str,
        principal: Principal | None,
        context: grpc.aio.ServicerContext,
    ) -> None:
        """Internal methods: only the service identities the binding names (``grpcserver.callers``)."""
        allowed = binding.callers_for(method) if binding is not None else None
        if allowed is None or principal is None:
            return
        check_caller(principal, allowed, peer_identities(context.auth_context()), method)

    def _wrap(
        self,
        handler: grpc.RpcMethodHandler,
        service: str,
        method: str,
        binding: GrpcBinding | None,
    ) -> grpc.RpcMethodHandler:
        if handler.unary_unary:
            kind, behavior, factory = "unary", handler.unary_unary, grpc.unary_unary_rpc_method_handler
        elif handler.unary_stream:
            kind, behavior, factory = (
                "server_stream",
                handler.unary_stream,
                grpc.unary_stream_rpc_method_handler,
            )
        elif handler.stream_unary:
            kind, behavior, factory = (
                "client_stream",
                handler.stream_unary,
                grpc.stream_unary_rpc_method_handler,
            )
        else:
            kind, behavior, factory = (
                "bidi_stream",
                handler.stream_stream,
                grpc.stream_stream_rpc_method_handler,
            )
        # Streaming handlers either yield responses (async generators) or call context.write() and return; the
        # health servicer's Watch is of the second kind. The wrapper must be of the same kind as what it wraps.
        yields_responses = inspect.isasyncgenfunction(behavior)
        labels = (kind, service, method)
        full_method = f"{service}/{method}"
        attributes = telemetry.rpc_attributes(full_method)
        # The method's metric children, looked up once (a labels() lookup takes a lock and hashes the labels).
        started, handling = GRPC_STARTED.labels(*labels), GRPC_HANDLING_SECONDS.labels(*labels)
        handled: dict[grpc.StatusCode, Any] = {}
        logs_access = self._access_log and binding is not None

        async def prologue(context: grpc.aio.ServicerContext, metadata: Mapping[str, str]) -> tuple[Any, Any]:
            started.inc()
            # The caller's trace continues here (the call's span, see guarded), or a trace starts; events recorded
            # while handling the call carry it (tracecontext), and so do the log lines.
            remaining = context.time_remaining()
            if remaining is not None:  # the database never waits past the caller's deadline (common.deadline)
                deadline.deadline_var.set(time.monotonic() + remaining)
            trace_token = trace_id_var.set(tracecontext.trace_id_of(tracecontext.current()))
            principal = self._authenticate(binding, method, metadata)
            self._check_caller(binding, method, principal, context)
            return trace_token, set_principal(principal)

        def status_of(exc: BaseException) -> grpc.Status:
            if isinstance(exc, errors.DomainError):
                status = status_for(exc)
                if status.code in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED):
                    log.info("rpc refused", extra={"rpc": method, "reason": exc.reason})
                return status
            if isinstance(exc, NotImplementedError):
                # The generated base servicer raises this for a method whose domain has not been built yet.
                return build_status(
                    grpc.StatusCode.UNIMPLEMENTED, f"{method} is not implemented yet", "UNIMPLEMENTED"
                )
            log.exception("rpc failed with an unexpected error", extra={"rpc": method})
            return build_status(grpc.StatusCode.INTERNAL, "internal error", "INTERNAL")

        def finish(start: float, code: grpc.StatusCode) -> None:
            counter = handled.get(code)
            if counter is None:
                counter = handled[code] = GRPC_HANDLED.labels(*labels, code.name)
            counter.inc()
            seconds = time.perf_counter() - start
            handling.observe(seconds)
            if logs_access:
                principal = peek_principal()
                access_logger.info(
                    "rpc handled",
                    extra={
                        "rpc": full_method,
                        "code": code.name,
                        "duration_ms": round(seconds * 1000, 2),
                        "tenant": principal.tenant_id if principal is not None else "",
                    },
                )

        def check_decoded(request: Any) -> None:
            if request is _UNDECODABLE:
                raise errors.InvalidArgument(
                    errors.FieldViolation("request", "the request message could not be decoded"),
                    reason="MALFORMED_REQUEST",
                )

        async def guarded_stream(request_iterator: Any) -> Any:
            async for item in request_iterator:
                check_decoded(item)
                yield item

        @contextlib.asynccontextmanager
        async def guarded(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            """Auth, trace id and metrics around the call; every error becomes a status. Yields the request
            (or, for client streams, the request iterator) checked for undecodable messages."""
            start = time.perf_counter()
            code = grpc.StatusCode.OK
            tokens = None
            metadata = dict(context.invocation_metadata() or ())
            # Health and reflection (no binding) get no span: probes every few seconds would bury the traces.
            with telemetry.span(
                full_method,
                telemetry.SERVER,
                metadata.get("traceparent"),
                attributes,
                record=binding is not None,
            ) as current:
                try:
                    tokens = await prologue(context, metadata)
                    if kind in ("unary", "server_stream"):
                        check_decoded(request)
                        yield request
                    else:
                        yield guarded_stream(request)
                except grpc.aio.AbortError:
                    code = context.code() or grpc.StatusCode.UNKNOWN  # type: ignore[assignment]
                    raise
                except Exception as exc:  # noqa: BLE001 - the RPC boundary: every error becomes a status
                    status = status_of(exc)
                    code = status.code
                    await context.abort_with_status(status)
                finally:
                    final = _final_code(context, code)
                    if final is not grpc.StatusCode.OK:
                        telemetry.mark_error(current, final.name)
                    finish(start, final)
                    _reset(tokens)

        if yields_responses:

            async def stream_behavior(request: Any, context: grpc.aio.ServicerContext) -> Any:
                async with guarded(request, context) as checked:
                    async for response in behavior(checked, context):
                        yield response

            new_behavior: Callable[..., Any] = stream_behavior
        else:

            async def unary_behavior(request: Any, context: grpc.aio.ServicerContext) -> Any:
                async with guarded(request, context) as checked:
                    return await behavior(checked, context)

            new_behavior = unary_behavior

        return factory(
            new_behavior,
            request_deserializer=_tolerant(handler.request_deserializer),
            response_serializer=handler.response_serializer,
        )


def _final_code(context: grpc.aio.ServicerContext, fallback: grpc.StatusCode) -> grpc.StatusCode:
    code = context.code()
    if isinstance(code, grpc.StatusCode):
        return code
    return fallback


def _reset(tokens: tuple[Any, Any] | None) -> None:
    if tokens is None:
        return
    trace_token, principal_token = tokens
    reset_principal(principal_token)
    trace_id_var.reset(trace_token)
