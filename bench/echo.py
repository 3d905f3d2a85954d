"""The transport baseline every benchmark measures in the same run: a raw gRPC unary echo.

A grpc.aio server with one generic method that returns its request bytes, called by the same client shape the
real benchmarks use (N concurrent tasks on one channel), so a ratio against it shows what our code costs on top of
gRPC itself on this machine, today.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass

import grpc

_METHOD = "/bench.Echo/Echo"


@dataclass(frozen=True)
class Rate:
    """Calls per second and latency percentiles in milliseconds."""

    calls: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def per_second(self) -> float:
        return self.calls / self.seconds if self.seconds else 0.0


def _echo(request: bytes, _context: grpc.aio.ServicerContext) -> bytes:
    return request


async def start_echo_server() -> tuple[grpc.aio.Server, int]:
    server = grpc.aio.server()
    handler = grpc.method_handlers_generic_handler(
        "bench.Echo", {"Echo": grpc.unary_unary_rpc_method_handler(_echo)}
    )
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    return server, port


def percentile(samples: list[float], q: float) -> float:
    if not samples:
        return 0.0
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[int(q) - 1]


async def drive(call, *, concurrency: int, total: int) -> Rate:  # type: ignore[no-untyped-def]
    """Run ``call(i)`` ``total`` times from ``concurrency`` tasks; ``call`` is an async function of the index."""
    latencies: list[float] = []
    counter = iter(range(total))

    async def worker() -> None:
        for i in counter:
            start = time.perf_counter()
            await call(i)
            latencies.append((time.perf_counter() - start) * 1000)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    return Rate(total, elapsed, percentile(latencies, 50), percentile(latencies, 99))


async def measure_echo(*, concurrency: int, total: int, payload: bytes = b"x" * 200) -> Rate:
    """Raw unary echo rate with the given client concurrency."""
    server, port = await start_echo_server()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            echo = channel.unary_unary(_METHOD)
            await echo(payload)  # connect before timing

            async def call(_i: int) -> None:
                await echo(payload, timeout=10)

            return await drive(call, concurrency=concurrency, total=total)
    finally:
        await server.stop(None)


def print_table(title: str, rows: list[tuple[str, Rate]], baseline: Rate) -> None:
    print(f"\n{title}")
    print(f"{'measurement':<44} {'calls/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'vs echo':>8}")
    for name, rate in rows:
        ratio = rate.per_second / baseline.per_second if baseline.per_second else 0.0
        print(f"{name:<44} {rate.per_second:>10.0f} {rate.p50_ms:>8.2f} {rate.p99_ms:>8.2f} {ratio:>8.2f}")


if __name__ == "__main__":
    result = asyncio.run(measure_echo(concurrency=16, total=20_000))
    print_table("raw gRPC unary echo", [("echo", result)], result)
