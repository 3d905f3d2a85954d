"""Running one service: migrate, serve metrics, connect NATS, provision streams, start the outbox relay and the
consumers, serve gRPC, and on SIGTERM/SIGINT shut down in order and exit 0.

Shutdown order (ARCHITECTURE §7): health NOT_SERVING for every name; a short delay so load balancers and probes
see it; ``server.stop(grace)``; stop the relay, consumers and background workers; drain NATS; close the database.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import signal
import threading
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1._async import HealthServicer
from nats.aio.client import Client as NATS

from services.common import devclock, gctuning, telemetry
from services.common.clock import Clock, DevClock, SystemClock, service_clock
from services.common.config import ServiceSettings
from services.common.db import Database
from services.common.dbtx import SqlTransactions
from services.common.events import lead_key
from services.common.grpcserver.bindings import GrpcBinding
from services.common.grpcserver.server import create_server, set_serving
from services.common.messaging import (
    Delivery,
    EventConsumer,
    MessagingTables,
    OutboxRelay,
    StreamSpec,
    ensure_stream,
)
from services.common.messaging.retention import MessagingRetention, RetentionConfig
from services.common.metrics import serve_metrics
from services.common.migrate_first import upgrade_before_serving
from services.common.natsconn import connect_nats
from services.common.timerworker import TimerSet, TimerWorker
from services.common.uow import DEFAULT_ATTEMPTS
from services.common.writehealth import WriteHealth

log = logging.getLogger("leadflow.runtime")

BackgroundTask = Callable[[asyncio.Event], Awaitable[None]]


@dataclass(frozen=True)
class ConsumerSpec:
    """A durable consumer of this service: which stream and subjects, and the handler run in the inbox transaction
    (on the service's unit of work bound to that transaction, ``handler(uow, delivery)``)."""

    name: str
    stream: StreamSpec
    subjects: list[str]
    handler: Callable[[Any, Any], None]
    max_deliver: int = 5
    backoff: tuple[float, ...] = (1.0, 5.0, 30.0, 120.0)
    # The key batches are applied in order of, for handlers that lock a row per key (``EventConsumer``'s
    # ``order_key``): consumers that lock the same rows order by the same key and never deadlock each other.
    order_key: Callable[[Delivery], str] | None = None
    # Applies all of a batch's new events at once (``EventConsumer``'s ``batch_handler``: set-based statements
    # instead of one per event); ``handler`` is still required, the careful path's per-event fallback.
    batch_handler: Callable[[Any, Sequence[Delivery]], None] | None = None
    # Messages whose headers say their producer already applied them are acknowledged without a transaction
    # (``EventConsumer``'s ``already_applied``): a consumer kept for events of the producer's older versions.
    already_applied: Callable[[Mapping[str, str]], bool] | None = None


def by_lead(delivery: Delivery) -> str:
    """``ConsumerSpec.order_key`` of consumers whose handlers lock the lead an event is about (``lead_key``)."""
    return lead_key(delivery.subject, delivery.data)


class OutboxWaker:
    """Lets a use case, running in a worker thread, nudge the relay right after its commit."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._relay: OutboxRelay | None = None

    def attach(self, loop: asyncio.AbstractEventLoop, relay: OutboxRelay) -> None:
        self._loop, self._relay = loop, relay

    def wake(self) -> None:
        if self._loop is not None and self._relay is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._relay.wake)


@dataclass
class ServiceApp:
    """What bootstrap.py wires for one service; ``run_service`` runs it."""

    settings: ServiceSettings
    transactions: SqlTransactions[Any]
    messaging: MessagingTables
    migrations_dir: Path
    bindings: list[GrpcBinding]
    produces: StreamSpec | None = None
    consumers: list[ConsumerSpec] = field(default_factory=list)
    background: list[BackgroundTask] = field(default_factory=list)
    waker: OutboxWaker = field(default_factory=OutboxWaker)
    on_shutdown: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    timers: TimerSet | None = None
    clock: Clock = field(default_factory=SystemClock)
    # Set when shutdown begins, so long streams (ImportLeads) finish the chunk in hand and end before the grace.
    draining: threading.Event = field(default_factory=threading.Event)

    @property
    def database(self) -> Database:
        return self.transactions.database


@dataclass
class ServiceCore:
    """What every bootstrap builds first, the same way: the clock, the outbox waker, and the unit-of-work
    transactions over the service's database. ``app(...)`` completes the ServiceApp with the service's own parts."""

    settings: ServiceSettings
    clock: Clock
    waker: OutboxWaker
    transactions: SqlTransactions[Any]
    messaging: MessagingTables

    @classmethod
    def build(
        cls,
        settings: ServiceSettings,
        unit_of_work: Callable[..., Any],
        messaging: MessagingTables,
        encode: Callable[[object], Any],
        *,
        clock: Clock | None = None,
        attempts: int = DEFAULT_ATTEMPTS,
    ) -> ServiceCore:
        """``clock`` replaces the service clock (tests); by default the system clock, or the stack's dev clock.
        ``attempts``: write transactions run at most this often when they lose races."""
        waker = OutboxWaker()
        database = Database(
            settings.database_url,
            pool_size=settings.db_pool_size,
            busy_timeout_ms=settings.db_busy_timeout_ms,
        )
        transactions = SqlTransactions(
            database, unit_of_work, messaging, encode, wake=waker.wake, attempts=attempts
        )
        return cls(settings, clock or service_clock(settings.dev_clock), waker, transactions, messaging)

    def app(self, **parts: Any) -> ServiceApp:
        """The ServiceApp of this core and ``parts`` (bindings, migrations_dir, produces, consumers, ...)."""
        return ServiceApp(
            settings=self.settings,
            transactions=self.transactions,
            messaging=self.messaging,
            waker=self.waker,
            clock=self.clock,
            **parts,
        )


class RunningService:
    """A started service. ``stop()`` performs the ordered shutdown; tests use this in-process."""

    def __init__(self, app: ServiceApp, on_started: Callable[[RunningService], None] | None = None) -> None:
        self.app = app
        # Called once the gRPC server is started and SERVING, with the bound ports set (`leadflow up`'s readiness).
        self._on_started = on_started
        self.health = HealthServicer()
        self.stop_event = asyncio.Event()
        self.port = 0
        self.metrics_port = 0
        self._server: grpc.aio.Server | None = None
        self._nats: NATS | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.timer_worker: TimerWorker | None = None
        self.consumers: list[EventConsumer] = []  # the service's event consumers, once connected to NATS
        self.retention: MessagingRetention | None = None

    async def start(self) -> None:
        app, settings = self.app, self.app.settings
        telemetry.configure(settings.service)
        if settings.migrate_on_start:
            await upgrade_before_serving(
                settings.service, app.migrations_dir, settings.database_url, settings.log_level
            )
        self.metrics_port = serve_metrics(settings.metrics_port, settings.metrics_host)
        server, self.port = create_server(settings, app.bindings, self.health)
        self._server = server
        nc = await connect_nats(
            settings.nats_url, f"leadflow-{settings.service}", self.stop_event, settings=settings.nats
        )
        if nc is None:
            return
        self._nats = nc
        js = nc.jetstream()
        streams = {c.stream.name: c.stream for c in app.consumers}
        if app.produces is not None:
            streams[app.produces.name] = app.produces
        for stream in streams.values():
            await ensure_stream(js, dataclasses.replace(stream, num_replicas=settings.nats.stream_replicas))
        if isinstance(app.clock, DevClock):
            # The stack's time first: consumers, timers and requests must not start on the system time.
            clock_bucket = await devclock.join(js, app.clock)
            self._spawn(devclock.follow(clock_bucket, app.clock, self.stop_event), "dev-clock")
        if app.produces is not None:
            relay = OutboxRelay(app.database, app.messaging, js)
            app.waker.attach(asyncio.get_running_loop(), relay)
            self._spawn(relay.run(self.stop_event), "outbox-relay")
        for spec in app.consumers:
            consumer = EventConsumer(
                app.database,
                app.messaging,
                js,
                name=spec.name,
                stream=spec.stream.name,
                subjects=spec.subjects,
                handler=spec.handler,
                bind=app.transactions.batch_binder,
                wake=app.waker.wake,
                max_deliver=spec.max_deliver,
                backoff=list(spec.backoff),
                linger=settings.consumer_linger_seconds,  # waits only in a stream: never for a caller's lone event
                order_key=spec.order_key,
                batch_handler=spec.batch_handler,
                already_applied=spec.already_applied,
            )
            self.consumers.append(consumer)
            self._spawn(consumer.run(self.stop_event), f"consumer-{spec.name}")
        if app.timers is not None:
            self._start_timers(app, app.timers)
        self.write_health = WriteHealth(
            app.database,
            settings.service,
            [b.service_name for b in app.bindings],
            self.health.set,
            unwritable_after=settings.db_unwritable_seconds,
        )
        self._spawn(self.write_health.run(self.stop_event), "write-health")
        self.retention = MessagingRetention(
            app.database, app.messaging, RetentionConfig.from_settings(settings.retention)
        )
        self._spawn(self.retention.run(self.stop_event), "messaging-retention")
        for task in app.background:
            self._spawn(task(self.stop_event), getattr(task, "__name__", "background"))
        await server.start()
        await set_serving(self.health, app.bindings, True)
        log.info(
            "service started",
            extra={"grpc_port": self.port, "metrics_port": self.metrics_port, "event_loop": _loop_kind()},
        )
        if self._on_started is not None:
            self._on_started(self)

    def _start_timers(self, app: ServiceApp, timers: TimerSet) -> None:
        worker = TimerWorker(
            app.database,
            app.messaging,
            timers,
            app.transactions.batch_binder,
            app.clock,
            wake_relay=app.waker.wake,
        )
        if isinstance(app.clock, DevClock):
            loop = asyncio.get_running_loop()

            def wake_on_move() -> None:
                loop.call_soon_threadsafe(worker.wake)

            app.clock.on_change(wake_on_move)
        self.timer_worker = worker
        self._spawn(worker.run(self.stop_event), "timers")

    def _spawn(self, coro: Awaitable[None], name: str) -> None:
        task = asyncio.ensure_future(coro)
        task.set_name(name)
        task.add_done_callback(self._on_task_done)
        self._tasks.append(task)

    def _on_task_done(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            # A worker that dies would silently stop events flowing; fail loudly and let the orchestrator restart us.
            log.error("background task crashed", extra={"task": task.get_name()}, exc_info=task.exception())
            self.stop_event.set()

    async def stop(self) -> None:
        settings = self.app.settings
        self.app.draining.set()
        await self.health.enter_graceful_shutdown()
        await asyncio.sleep(settings.shutdown_delay_seconds)
        if self._server is not None:
            await self._server.stop(settings.shutdown_grace_seconds)
        self.stop_event.set()
        if self._tasks:
            _done, pending = await asyncio.wait(self._tasks, timeout=settings.shutdown_grace_seconds)
            for task in pending:
                task.cancel()
        for hook in self.app.on_shutdown:
            await hook()
        if self._nats is not None and self._nats.is_connected:
            await self._nats.drain()
        self.app.database.dispose()
        await asyncio.to_thread(telemetry.shutdown)  # export the spans still buffered
        log.info("service stopped")


async def run_service(app: ServiceApp, on_started: Callable[[RunningService], None] | None = None) -> int:
    """Run until SIGTERM or SIGINT; returns the exit code. ``on_started`` is called once the service is SERVING.

    The process's garbage collector is set for serving once the service started (``gctuning``): this is the
    service's own process, unlike ``RunningService``, which tests also run in theirs."""
    running = RunningService(app, on_started)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, running.stop_event.set)
    try:
        await running.start()
        gctuning.tune_for_serving()
        await running.stop_event.wait()
    finally:
        await running.stop()
    return 0


def _loop_kind() -> str:
    """``uvloop`` or ``asyncio``: the kind of loop running this service, for its start line."""
    return "uvloop" if type(asyncio.get_running_loop()).__module__.startswith("uvloop") else "asyncio"
