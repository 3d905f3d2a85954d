"""OpenTelemetry tracing, exported over OTLP when the standard OTEL_* variables ask for it, and off otherwise.

On when ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` or ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set, unless
``OTEL_SDK_DISABLED=true`` or ``OTEL_TRACES_EXPORTER=none`` (the OpenTelemetry specification's "Environment
Variable Specification"). ``OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`` / ``OTEL_EXPORTER_OTLP_PROTOCOL`` choose ``grpc``
or ``http/protobuf`` (the default, as the specification says); the exporter and the batch span processor read their
own variables (headers, timeouts, ``OTEL_BSP_*``), the sampler ``OTEL_TRACES_SAMPLER``, and the resource
``OTEL_SERVICE_NAME`` / ``OTEL_RESOURCE_ATTRIBUTES`` (service.name defaults to ``leadflow-<service>``). When off,
the SDK is never imported: a service without a collector pays nothing.

Spans: a SERVER span per RPC (the shared interceptor), a CLIENT span per outbound RPC (``grpcclient``), a CONSUMER
span per event handled (the runtime consumer). Every span's W3C ``traceparent`` becomes the current one
(``tracecontext``), so the events recorded under it carry it and their consumers' spans join the same trace: one
trace spans SubmitLead, ClaimLead in dedup, and every consumer downstream. When tracing is off the same headers
still travel (``tracecontext.child_of``), so logs keep their trace ids.

Span names and attributes follow the semantic conventions for RPC (``rpc.system``, ``rpc.service``,
``rpc.method``) and messaging (``messaging.system`` = nats, ``messaging.destination.name``, operation "process");
they never carry personal data.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator, Mapping
from typing import Any

from services.common import tracecontext

log = logging.getLogger(__name__)

SERVER, CLIENT, CONSUMER = "server", "client", "consumer"

_provider: Any = None  # the SDK's TracerProvider once configured; None while tracing is off


def wanted(environ: Mapping[str, str]) -> bool:
    """Whether the OTEL_* variables of ``environ`` ask for traces to be exported."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    if environ.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower() in ("none", ""):
        return False
    return bool(
        environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").strip()
        or environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip()
    )


def protocol(environ: Mapping[str, str]) -> str:
    value = environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or environ.get("OTEL_EXPORTER_OTLP_PROTOCOL")
    return (value or "http/protobuf").strip().lower()


def configure(service: str, environ: Mapping[str, str] | None = None) -> bool:
    """Start exporting this process's spans if the environment asks for it; returns whether tracing is on. The
    first call of a process decides (several services in one test process share it)."""
    global _provider
    if _provider is not None:
        return True
    environ = os.environ if environ is None else environ
    if not wanted(environ):
        return False
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    chosen = protocol(environ)
    if chosen == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
    elif chosen == "http/protobuf":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter  # type: ignore[assignment]
    else:
        raise ValueError(f"OTEL_EXPORTER_OTLP_PROTOCOL: {chosen!r} is not supported (grpc or http/protobuf)")
    attributes = {} if environ.get("OTEL_SERVICE_NAME") else {"service.name": f"leadflow-{service}"}
    provider = TracerProvider(resource=Resource.create(attributes))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    _provider = provider
    log.info("tracing on: spans exported over OTLP (%s)", chosen)
    return True


def shutdown() -> None:
    """Export what is buffered and stop (a service's last step)."""
    global _provider
    if _provider is not None:
        _provider.shutdown()
        _provider = None


def enabled() -> bool:
    return _provider is not None


@contextlib.contextmanager
def span(
    name: str, kind: str, parent: str | None, attributes: Mapping[str, Any], *, record: bool = True
) -> Iterator[Any]:
    """A span named ``name``, child of the ``parent`` traceparent (a new trace without one), current for the block:
    ``tracecontext.current()`` is its traceparent. Yields the span (None when tracing is off or ``record`` is False,
    for health probes: a child traceparent is still made). An exception leaving the block marks the span as an error
    unless a status was set already."""
    if _provider is None or not record:
        token = tracecontext.traceparent_var.set(tracecontext.child_of(parent))
        try:
            yield None
        finally:
            tracecontext.traceparent_var.reset(token)
        return
    from opentelemetry.trace import SpanKind, Status, StatusCode
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    context = TraceContextTextMapPropagator().extract({"traceparent": parent} if parent else {})
    kinds = {SERVER: SpanKind.SERVER, CLIENT: SpanKind.CLIENT, CONSUMER: SpanKind.CONSUMER}
    tracer = _provider.get_tracer("leadflow")
    current = tracer.start_span(name, context=context, kind=kinds[kind], attributes=dict(attributes))
    spanned = current.get_span_context()
    token = tracecontext.traceparent_var.set(
        f"00-{spanned.trace_id:032x}-{spanned.span_id:016x}-{int(spanned.trace_flags):02x}"
    )
    try:
        yield current
    except BaseException as exc:
        if current.status.status_code is StatusCode.UNSET:
            current.set_status(Status(StatusCode.ERROR, type(exc).__name__))
        raise
    finally:
        tracecontext.traceparent_var.reset(token)
        current.end()


def mark_error(current: Any, description: str) -> None:
    """Mark a span as failed (a gRPC status other than OK); nothing when tracing is off."""
    if current is not None:
        from opentelemetry.trace import Status, StatusCode

        current.set_status(Status(StatusCode.ERROR, description))


def rpc_attributes(full_method: str) -> dict[str, str]:
    """``/leadflow.ingest.v1.IngestService/SubmitLead`` as rpc.* attributes."""
    service, _, method = full_method.strip("/").partition("/")
    return {"rpc.system": "grpc", "rpc.service": service, "rpc.method": method}


def consumer_attributes(subject: str, consumer: str) -> dict[str, str]:
    return {
        "messaging.system": "nats",
        "messaging.operation.type": "process",
        "messaging.destination.name": subject,
        "messaging.consumer.group.name": consumer,
    }
