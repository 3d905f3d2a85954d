"""What the transport alone does on this machine, measured in the same run as the stack (the ratios divide by
these): a raw gRPC unary echo, a raw gRPC client-streaming call, a raw JetStream publish_async.

Clients have the shapes of the stack's measurements: unary calls from N tasks on one channel (``bench.echo``); one
stream of lead-sized messages; JetStream publishes with a Nats-Msg-Id each (as the outbox relay sends), pipelined,
to a stream configured like the services' own, on the stack's nats-server.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator

import grpc
import nats

from bench.echo import Rate, measure_echo
from services.common.messaging import MSG_ID_HEADER, StreamSpec, ensure_stream

_STREAM_METHOD = "/bench.Stream/Collect"


async def echo(*, concurrency: int, total: int, payload: bytes) -> Rate:
    """Raw unary echo: calls/s and per-call p50/p99 ms."""
    return await measure_echo(concurrency=concurrency, total=total, payload=payload)


async def _collect(requests: AsyncIterator[bytes], _context: grpc.aio.ServicerContext) -> bytes:
    count = 0
    async for _ in requests:
        count += 1
    return str(count).encode()


async def client_streaming(*, messages: int, payload: bytes) -> Rate:
    """Raw client-streaming: one call carrying ``messages`` messages of ``payload``; messages/s (the p50/p99 are
    of the whole call)."""
    server = grpc.aio.server()
    handler = grpc.method_handlers_generic_handler(
        "bench.Stream", {"Collect": grpc.stream_unary_rpc_method_handler(_collect)}
    )
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            collect = channel.stream_unary(_STREAM_METHOD)

            async def stream(n: int) -> AsyncIterator[bytes]:
                for _ in range(n):
                    yield payload

            await collect(stream(10))  # connect before timing
            began = time.perf_counter()
            reply = await collect(stream(messages), timeout=300)
            seconds = time.perf_counter() - began
            assert int(reply) == messages
            return Rate(messages, seconds, seconds * 1000, seconds * 1000)
    finally:
        await server.stop(None)


async def jetstream_publish(nats_url: str, *, messages: int, size: int) -> Rate:
    """Raw JetStream publish_async: ``messages`` of ``size`` bytes, each with its own Msg-Id, pipelined, until every
    ack is in; messages/s."""
    connection = await nats.connect(nats_url)
    try:
        js = connection.jetstream(publish_async_max_pending=4000)
        await ensure_stream(js, StreamSpec(name="BENCH_CEILING", subjects=("bench.ceiling",)))
        payload = b"x" * size
        began = time.perf_counter()
        for _ in range(messages):
            await js.publish_async("bench.ceiling", payload, headers={MSG_ID_HEADER: uuid.uuid4().hex})
        await js.publish_async_completed()
        seconds = time.perf_counter() - began
        await js.delete_stream("BENCH_CEILING")
        return Rate(messages, seconds, 0.0, 0.0)
    finally:
        await connection.close()
