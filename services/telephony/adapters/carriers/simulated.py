"""The simulated carrier: masked calls without a telephone network, reporting events the way real providers do.

It binds instantly (binding ids ``simb-<n>``), and for every started call draws a ``scenarios.Scenario`` (weighted
mix, realistic timings: 2-8 s to ring, 5-30 s of ringing, 10-300 s of talk), then reports it through the same path
real receipts take: events carry the carrier's own call id (``simc-<n>``) and binding id, never leadflow's call id,
so the service must find the call through the binding. Reports imitate a provider profile, drawn per call:

* ``huawei``: call-status pushes (RINGING, ANSWERED, RELEASED) a few seconds after each moment, then the bill
  (话单, FINAL_REPORT with ``stateCode``) after a minute, re-sent up to 5 more times (Huawei retries a bill after 1,
  4, 9, 106, 203 and 300 minutes until acknowledged), times in UTC text;
* ``aliyun``: one SecretReport (FINAL_REPORT with ``release_cause`` ...) seconds to minutes after the call, once in
  fifty calls hours late, times in Beijing wall-clock text (``provider_times.aliyun_times``).

Deliveries are queued by due time on the injectable clock, jittered so they arrive out of order, and delivered by
``run`` (a background task) through the ``deliver`` callback bootstrap wires to ReportCallEvent's handler.
Everything is drawn from one ``random.Random(seed)``, so a seed and a sequence of calls give the same events.
The queue lives in memory: a restart loses undelivered simulated events (this is a simulator).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from services.common.clock import Clock
from services.common.errors import DomainError, Unavailable
from services.common.messaging.waiting import wait_for_any
from services.telephony.adapters.carriers.scenarios import SCENARIOS, Scenario
from services.telephony.domain.call import CallEvent, CallEventType, Recording
from services.telephony.domain.commands import CallEventReport
from services.telephony.domain.evidence import Evidence, announcement, provider_code, q850_cause, sip_status
from services.telephony.domain.outcomes import ReleaseDirection
from services.telephony.domain.ports import BindRequest, Carrier, PlacedCall
from services.telephony.domain.provider_times import BEIJING, ReportedTimes, aliyun_times, parse_local

log = logging.getLogger("leadflow.telephony.simulated")

PROVIDER = "simulated"
HUAWEI_RESENDS = tuple(timedelta(minutes=m) for m in (1, 4, 9, 106, 203, 300))
_TEXT = "%Y-%m-%d %H:%M:%S"
Deliver = Callable[[CallEventReport], Awaitable[None]]


@dataclass(frozen=True)
class SimulatedCall:
    """What the simulator decided for one call (tests compare the service's outcome with ``scenario.outcome``)."""

    provider_call_id: str
    scenario: Scenario
    profile: str
    dial: datetime
    ring: datetime | None
    answer: datetime | None
    release: datetime


class SimulatedCarrier(Carrier):
    name = PROVIDER
    supports_callback = True

    def __init__(self, clock: Clock, seed: int = 0, *, poll_seconds: float = 0.2) -> None:
        self._clock = clock
        self._random = random.Random(seed)
        self._poll = poll_seconds
        self._bindings = itertools.count(1)
        self._calls = itertools.count(1)
        self._queue: list[tuple[datetime, int, CallEventReport]] = []
        self._order = itertools.count()
        self._wake = asyncio.Event()
        self.deliver: Deliver | None = None
        self.placed: list[SimulatedCall] = []

    # ------------------------------------------------------------------------------------------ Carrier

    async def bind(self, request: BindRequest) -> str:
        return f"simb-{next(self._bindings)}"

    async def unbind(self, provider_binding_id: str, masked_number: str) -> None:
        return None

    async def call_started(self, call: PlacedCall) -> None:
        self.placed.append(self.simulate(call.provider_binding_id, call.start_time))
        self._wake.set()

    # ------------------------------------------------------------------------------------------ the scenario

    def simulate(self, provider_binding_id: str, dialled: datetime) -> SimulatedCall:
        """Draw a call on the binding dialled at ``dialled`` and queue its reports."""
        rng = self._random
        scenario = rng.choices(SCENARIOS, weights=[s.weight for s in SCENARIOS])[0]
        profile = rng.choice(("huawei", "aliyun"))
        dial = dialled.replace(microsecond=0) + timedelta(seconds=rng.randint(1, 3))
        ring = dial + timedelta(seconds=rng.randint(2, 8)) if scenario.rings else None
        answer = ring + timedelta(seconds=rng.randint(5, 30)) if scenario.answered and ring else None
        if answer is not None:
            release = answer + timedelta(seconds=rng.randint(10, 300))
        elif ring is not None:
            release = ring + timedelta(seconds=rng.randint(5, 40))
        else:
            release = dial + timedelta(seconds=rng.randint(3, 15))
        simulated = SimulatedCall(f"simc-{next(self._calls)}", scenario, profile, dial, ring, answer, release)
        for due, report in self._reports(simulated, provider_binding_id):
            heapq.heappush(self._queue, (due, next(self._order), report))
        return simulated

    def _reports(self, call: SimulatedCall, binding: str) -> list[tuple[datetime, CallEventReport]]:
        rng, scenario = self._random, call.scenario
        direction = (
            ReleaseDirection.CALLER
            if scenario.released_by_caller
            else (ReleaseDirection.CALLEE if scenario.answered else ReleaseDirection.NETWORK)
        )
        interim = [(CallEventType.DIALED, call.dial)]
        if call.ring is not None:
            interim.append((CallEventType.RINGING, call.ring))
        if call.answer is not None:
            interim.append((CallEventType.ANSWERED, call.answer))
        interim.append((CallEventType.RELEASED, call.release))
        out: list[tuple[datetime, CallEventReport]] = []
        for index, (kind, at) in enumerate(interim):
            event = CallEvent(
                PROVIDER,
                f"{call.provider_call_id}/{kind.name.lower()}",
                kind,
                at,
                release_direction=direction
                if kind is CallEventType.RELEASED
                else ReleaseDirection.UNSPECIFIED,
            )
            delay = timedelta(seconds=rng.uniform(0.5, 20.0) * (index + 1))
            out.append((at + delay, self._report(call, binding, event)))
        final = self._final(call, direction)
        if call.profile == "huawei":
            resends = rng.randint(1, 6)
            for delay in HUAWEI_RESENDS[:resends]:
                out.append((call.release + delay, self._report(call, binding, final)))
        else:
            late = rng.random() < 0.02
            delay = timedelta(hours=rng.uniform(1, 3)) if late else timedelta(seconds=rng.uniform(5, 600))
            out.append((call.release + delay, self._report(call, binding, final)))
        if scenario.answered and rng.random() < 0.5:
            recording = Recording(
                f"https://recordings.invalid/{call.provider_call_id}.mp3", call.release + timedelta(days=7)
            )
            event = CallEvent(
                PROVIDER,
                f"{call.provider_call_id}/recording",
                CallEventType.RECORDING_READY,
                call.release,
                recording=recording,
            )
            out.append(
                (call.release + timedelta(minutes=rng.uniform(1, 20)), self._report(call, binding, event))
            )
        return out

    def _final(self, call: SimulatedCall, direction: ReleaseDirection) -> CallEvent:
        scenario, at = call.scenario, call.release
        evidence: list[Evidence] = []
        if call.profile == "huawei":
            evidence.append(provider_code("huawei", "stateCode", scenario.huawei_state_code, at))

            def text(moment: datetime) -> str:
                return moment.astimezone(UTC).strftime(_TEXT)

            times = ReportedTimes(
                parse_local(text(call.dial), UTC),
                parse_local(text(call.ring), UTC) if call.ring else None,
                parse_local(text(call.answer), UTC) if call.answer else None,
                parse_local(text(call.release), UTC),
                answer_stated=True,
            )
        else:
            for field, code in (
                ("release_cause", scenario.aliyun_release_cause),
                ("unconnected_cause", scenario.aliyun_unconnected_cause),
                ("call_type", scenario.aliyun_call_type),
            ):
                if code is not None:
                    evidence.append(provider_code("aliyun", field, code, at))

            def local(moment: datetime | None, default: datetime) -> str:
                return (moment or default).astimezone(BEIJING).strftime(_TEXT)

            # Aliyun's rules: ring_time = call_out_time and free_ring_time = ring_time when it did not ring;
            # start_time = release_time when not answered.
            times = aliyun_times(
                call_time=local(call.dial, call.dial),
                call_out_time=local(call.dial, call.dial),
                ring_time=local(call.ring, call.dial),
                free_ring_time=local(call.ring, call.dial),
                start_time=local(call.answer, call.release),
                release_time=local(call.release, call.release),
            )
        if scenario.sip:
            evidence.append(sip_status(scenario.sip, at))
        if scenario.q850:
            evidence.append(q850_cause(scenario.q850, at))
        if scenario.announcement:
            evidence.append(announcement(PROVIDER, scenario.announcement, at))
        return CallEvent(
            PROVIDER,
            f"{call.provider_call_id}/bill",
            CallEventType.FINAL_REPORT,
            at,
            times=times,
            release_direction=direction,
            evidence=tuple(evidence),
        )

    @staticmethod
    def _report(call: SimulatedCall, binding: str, event: CallEvent) -> CallEventReport:
        return CallEventReport(
            event=event, provider_call_id=call.provider_call_id, provider_binding_id=binding
        )

    # ------------------------------------------------------------------------------------------ delivery

    def due(self, now: datetime) -> list[CallEventReport]:
        """Take every report due at ``now``, in due order."""
        taken = []
        while self._queue and self._queue[0][0] <= now:
            taken.append(heapq.heappop(self._queue)[2])
        return taken

    @property
    def pending(self) -> int:
        return len(self._queue)

    def next_due(self) -> datetime | None:
        return self._queue[0][0] if self._queue else None

    async def deliver_due(self) -> int:
        """Deliver what is due now; a report the service cannot take yet (unavailable) is queued again."""
        assert self.deliver is not None, "bootstrap wires deliver to ReportCallEvent's handler"
        now = self._clock.now()
        delivered = 0
        for report in self.due(now):
            received = CallEventReport(
                event=_received(report.event, now),
                provider_call_id=report.provider_call_id,
                provider_binding_id=report.provider_binding_id,
            )
            try:
                await self.deliver(received)
                delivered += 1
            except Unavailable:
                heapq.heappush(self._queue, (now + timedelta(seconds=5), next(self._order), report))
            except DomainError as error:  # e.g. the binding was undone after the carrier refused it
                log.warning("simulated report not accepted: %s", error.reason)
        return delivered

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.deliver_due()
            await wait_for_any(stop, self._wake, timeout=self._poll)
            self._wake.clear()


def _received(event: CallEvent, now: datetime) -> CallEvent:
    return replace(event, received_time=now)
