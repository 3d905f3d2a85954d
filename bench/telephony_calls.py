"""StartCall/s and ReportCallEvent/s of the telephony service with 10,000 bound pairs, against a raw gRPC echo in
the same run.

`.venv/bin/python -m bench.telephony_calls [--pairs 10000] [--concurrency 16] [--numbers 60]`

Starts a real nats-server and the real telephony service in this process (its bootstrap, a SQLite file in a
temporary directory: the default local deployment; the simulated carrier; a fixed clock at 10:00 in Beijing so every
call is inside callable hours). Its leads and agents are loaded through the consumers' own use case, then:

- echo: the raw unary echo, the transport baseline of this machine, today;
- StartCall, new pair: one call per lead, each binding a new A-X-B pair (X chosen by region and load, counted by
  compare-and-set, the call stored with its attempt number, call.started in the outbox), until ``--pairs`` pairs
  are bound;
- ReportCallEvent: one carrier bill (FINAL_REPORT with times and a Huawei stateCode) per call, found by call id,
  merged, classified, call.completed written;
- StartCall, bound pair: a second call per lead, its first ended by the bill, with all pairs bound (the binding is
  reused);
- ReportCallEvent, repeat: the same bills again (Huawei re-sends), answered as duplicates.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from datetime import timedelta
from pathlib import Path

import grpc

from bench.echo import Rate, drive, measure_echo, print_table
from leadflow.telephony.v1 import telephony_service_pb2 as pb
from leadflow.telephony.v1 import telephony_service_pb2_grpc
from services.common.auth import Role
from services.common.clock import FakeClock
from services.common.natsbin import start_nats_server
from services.common.netutil import free_port, wait_for_port
from services.common.protoconv import timestamp
from services.telephony.domain.commands import AgentChanged, LeadAccepted, LeadAssigned
from services.telephony.handlers.parties import PartyHandlers
from tests.harness import TokenMinter, service_environ, start_service
from tests.telephony.helpers import T0

TENANT = "bench-tenant"
CITIES = [
    ("广东省", "深圳市"),
    ("广东省", "广州市"),
    ("北京市", "北京市"),
    ("上海市", "上海市"),
    ("浙江省", "杭州市"),
]


def _load_world(transactions, pairs: int, agents: int) -> None:  # type: ignore[no-untyped-def]
    parties = PartyHandlers()

    def load(uow) -> None:  # type: ignore[no-untyped-def]
        for a in range(agents):
            parties.on_agent_changed(
                uow, AgentChanged(TENANT, f"agent-{a}", f"user-{a}", f"+86138{a:08d}", 1, False)
            )
        for i in range(pairs):
            province, city = CITIES[i % len(CITIES)]
            lead = f"lead-{i}"
            parties.on_lead_accepted(
                uow, LeadAccepted(TENANT, lead, "acct", f"+86139{i:08d}", province, city, T0)
            )
            parties.on_lead_assigned(uow, LeadAssigned(TENANT, lead, "acct", f"agent-{i % agents}", T0))

    transactions.write_now(load)


async def run(pairs: int, concurrency: int, numbers: int) -> dict[str, object]:
    """Prints the table; returns the figures: bound pairs, and per row calls/s, p50/p99 ms, ratio to the echo."""
    echo = await measure_echo(concurrency=concurrency, total=max(pairs, 5000))
    with tempfile.TemporaryDirectory(prefix="leadflow-bench-") as tmp:
        port = free_port()
        nats = start_nats_server(port, Path(tmp) / "jetstream")
        wait_for_port(port)
        env = service_environ(
            "telephony",
            Path(tmp),
            f"nats://127.0.0.1:{port}",
            LEADFLOW_LOG_LEVEL="WARNING",
            LEADFLOW_PII_KEYS="b1:" + "C" * 43 + "=",
        )
        running = await start_service("telephony", env, clock=FakeClock(T0 + timedelta(minutes=1)))
        try:
            minter = TokenMinter(env)
            admin, service = minter.metadata(TENANT, Role.ADMIN), minter.metadata(TENANT, Role.SERVICE)
            await asyncio.to_thread(_load_world, running.app.transactions, pairs, max(1, pairs // 100))
            async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
                stub = telephony_service_pb2_grpc.TelephonyServiceStub(channel)
                xs = [
                    pb.MaskedNumber(
                        phone_number=f"+86170{n:08d}",
                        region={"province": CITIES[n % len(CITIES)][0], "city": CITIES[n % len(CITIES)][1]},
                    )
                    for n in range(numbers)
                ]
                await stub.AddNumbers(
                    pb.AddNumbersRequest(numbers=xs, request_id="bench-numbers"), metadata=admin
                )
                call_ids: list[str] = [""] * pairs

                async def start_new(i: int) -> None:
                    reply = await stub.StartCall(
                        pb.StartCallRequest(lead_id=f"lead-{i}", request_id=f"first-{i}"),
                        metadata=admin,
                        timeout=30,
                    )
                    call_ids[i] = reply.call.id

                async def start_bound(i: int) -> None:
                    await stub.StartCall(
                        pb.StartCallRequest(lead_id=f"lead-{i}", request_id=f"second-{i}"),
                        metadata=admin,
                        timeout=30,
                    )

                def bill(i: int) -> pb.ReportCallEventRequest:
                    dial = T0 + timedelta(seconds=i % 3600)
                    return pb.ReportCallEventRequest(
                        provider="huawei",
                        provider_event_id=f"bill-{i}",
                        call_id=call_ids[i],
                        type=pb.CALL_EVENT_TYPE_FINAL_REPORT,
                        event_time=timestamp(dial + timedelta(seconds=40)),
                        times=pb.CarrierCallTimes(
                            dial_time=pb.CarrierTime(time=timestamp(dial)),
                            ring_time=pb.CarrierTime(time=timestamp(dial + timedelta(seconds=5))),
                            release_time=pb.CarrierTime(time=timestamp(dial + timedelta(seconds=40))),
                            answer_stated=True,
                        ),
                        huawei=pb.HuaweiCallCodes(state_code=8101 if i % 2 else 8104),
                        sip_code=480,
                        q850_cause=19 if i % 2 else 20,
                    )

                async def report(i: int) -> None:
                    await stub.ReportCallEvent(bill(i), metadata=service, timeout=30)

                rows: list[tuple[str, Rate]] = [("echo (raw gRPC unary)", echo)]
                rows.append(
                    (
                        f"StartCall, new pair (to {pairs} pairs)",
                        await drive(start_new, concurrency=concurrency, total=pairs),
                    )
                )
                rows.append(
                    ("ReportCallEvent, new bill", await drive(report, concurrency=concurrency, total=pairs))
                )
                # After the bills: a lead's second call is refused while its first has not ended.
                rows.append(
                    (
                        f"StartCall, bound pair ({pairs} bound)",
                        await drive(start_bound, concurrency=concurrency, total=pairs),
                    )
                )
                rows.append(
                    (
                        "ReportCallEvent, repeated bill",
                        await drive(report, concurrency=concurrency, total=pairs),
                    )
                )
                listed = await stub.ListNumbers(pb.ListNumbersRequest(page_size=1000), metadata=admin)
                bound = sum(n.active_binding_count for n in listed.numbers)
            print_table(
                f"telephony on SQLite, {numbers} numbers, {bound} bound pairs, concurrency {concurrency}",
                rows,
                echo,
            )
            return {
                "bound_pairs": bound,
                "rows": {
                    name: {
                        "per_second": rate.per_second,
                        "p50_ms": rate.p50_ms,
                        "p99_ms": rate.p99_ms,
                        "vs_echo": rate.per_second / echo.per_second if echo.per_second else 0.0,
                    }
                    for name, rate in rows
                },
            }
        finally:
            await running.stop()
            nats.terminate()
            nats.wait(timeout=10)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--numbers", type=int, default=60)
    args = parser.parse_args(argv)
    asyncio.run(run(args.pairs, args.concurrency, args.numbers))


if __name__ == "__main__":
    main()
