"""The Aliyun carrier through the official SDK against a local server that answers as Dyplsapi does, and the
SecretReport receipt endpoint with a receipt in the documented format, on the real store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from services.common.clock import FakeClock
from services.common.errors import FailedPrecondition
from services.telephony.adapters.carriers.aliyun import AliyunCarrier, AliyunConfig
from services.telephony.adapters.carriers.simulated import SimulatedCarrier
from services.telephony.domain.call import CallState
from services.telephony.domain.commands import NewNumber
from services.telephony.domain.outcomes import CallOutcome, EvidenceSource, ReleaseDirection
from services.telephony.domain.ports import BindRequest, CarrierError
from services.telephony.receipts import SECRET_REPORT_PATH, ReceiptServer
from tests.telephony.carriers.fake_dyplsapi import ACCESS_KEY_ID, ACCESS_KEY_SECRET, FakeDyplsapi, serve
from tests.telephony.helpers import World, admin, build, unique

TOKEN = "receipt-token-" + "r" * 32


@pytest.fixture
def dyplsapi() -> Iterator[tuple[FakeDyplsapi, int]]:
    api = FakeDyplsapi()
    server, port = serve(api)
    yield api, port
    server.shutdown()


def carrier(port: int, secret: str = ACCESS_KEY_SECRET) -> AliyunCarrier:
    return AliyunCarrier(
        AliyunConfig(
            ACCESS_KEY_ID,
            secret,
            "FC100000012345",
            endpoint=f"127.0.0.1:{port}",
            protocol="HTTP",
            timeout_seconds=5,
        )
    )


def _bind(expire: datetime) -> BindRequest:
    return BindRequest("t1", "binding-1", "+8617100009999", "+8613800001111", "+8613900002222", expire)


async def test_bind_and_unbind_go_through_the_sdk_signed_and_in_the_documented_form(dyplsapi) -> None:  # type: ignore[no-untyped-def]
    api, port = dyplsapi
    expire = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)
    subs_id = await carrier(port).bind(_bind(expire))
    assert subs_id.isdigit()
    (sent,) = api.binds
    assert (
        sent["PhoneNoA"] == "13800001111"
        and sent["PhoneNoB"] == "13900002222"
        and sent["PhoneNoX"] == "17100009999"
    )
    assert sent["Expiration"] == "2026-03-05 10:00:00"  # Beijing wall-clock time
    assert sent["OutId"] == "binding-1" and sent["PoolKey"] == "FC100000012345"
    await carrier(port).unbind(subs_id, "+8617100009999")
    assert api.unbinds[0]["SubsId"] == subs_id and api.unbinds[0]["SecretNo"] == "17100009999"


async def test_a_wrong_secret_and_a_refusal_are_carrier_errors_that_are_not_retryable(dyplsapi) -> None:  # type: ignore[no-untyped-def]
    api, port = dyplsapi
    with pytest.raises(CarrierError) as signed_wrong:
        await carrier(port, secret="another-secret").bind(_bind(datetime(2026, 3, 5, tzinfo=UTC)))
    assert signed_wrong.value.code == "SignatureDoesNotMatch" and not signed_wrong.value.retryable
    api.refuse_with = "isv.NO_AVAILABLE_NUMBER"
    with pytest.raises(CarrierError) as refused:
        await carrier(port).bind(_bind(datetime(2026, 3, 5, tzinfo=UTC)))
    assert refused.value.code == "isv.NO_AVAILABLE_NUMBER" and not refused.value.retryable
    assert api.binds == []


async def test_an_unreachable_endpoint_is_retryable() -> None:
    from services.common.netutil import free_port

    with pytest.raises(CarrierError) as failed:
        await carrier(free_port()).bind(_bind(datetime(2026, 3, 5, tzinfo=UTC)))
    assert failed.value.retryable


def _aliyun_world(world: World, port: int) -> World:
    carriers = {"simulated": world.carrier, "aliyun": carrier(port)}
    world.handlers = build(world.transactions, world.clock, carriers)
    return world


# The sample record of https://help.aliyun.com/document_detail/305596.html (HTTP batch push), with our ids.
def _secret_report(sub_id: str, call_id: str) -> list[dict[str, object]]:
    return [
        {
            "phone_no": "171****3225",
            "city": "北京",
            "call_out_time": "2026-03-02 10:11:30",
            "ring_time": "2026-03-02 10:11:35",
            "record_url": "https://recordings.invalid/abc.mp3",
            "ring_record_url": "https://recordings.invalid/ring.mp3",
            "free_ring_time": "2026-03-02 10:11:35",
            "control_msg": "OK",
            "id": 1014568510001,
            "secret_no": "186****7614",
            "call_type": 0,
            "control_type": "CONTINUE",
            "release_time": "2026-03-02 10:11:41",
            "pool_key": "FC100000012345",
            "sub_id": int(sub_id),
            "unconnected_cause": 0,
            "call_time": "2026-03-02 10:11:29",
            "peer_no": "152****1504",
            "called_display_no": "158****0000",
            "release_dir": 1,
            "call_id": call_id,
            "start_time": "2026-03-02 10:11:38",
            "partner_key": "FC100000012345",
            "out_id": "7368136812621",
            "release_cause": 31,
        }
    ]


async def test_start_call_binds_at_aliyun_and_a_secret_report_settles_the_call(
    world: World, dyplsapi
) -> None:  # type: ignore[no-untyped-def]
    api, port = dyplsapi
    world = _aliyun_world(world, port)
    await world.handlers.numbers.add_numbers(
        admin(world.tenant), [NewNumber("+8617100009999", "广东省", "深圳市", "aliyun", 0, 0)], unique("add")
    )
    agent = world.agent()
    lead = world.lead(holder=agent)
    from services.telephony.domain.call import CallMode
    from services.telephony.domain.commands import StartCallCommand

    started = await world.handlers.calls.start_call(
        admin(world.tenant), StartCallCommand(lead, "", unique("r"), CallMode.DIRECT_DIAL)
    )
    subs_id = started.binding.provider_binding_id
    assert api.binds[-1]["OutId"] == started.binding.binding_id and subs_id

    async def report(r):  # type: ignore[no-untyped-def]
        return await world.handlers.call_events.report(None, r)

    server = ReceiptServer("127.0.0.1", 0, TOKEN, report, world.clock)
    client_app = server.app()
    from aiohttp.test_utils import TestClient, TestServer

    async with TestClient(TestServer(client_app)) as client:
        body = json.dumps(_secret_report(subs_id, "43612633712c0001"), ensure_ascii=False)
        denied = await client.post(SECRET_REPORT_PATH + "?token=wrong", data=body)
        assert denied.status == 401
        answer = await client.post(SECRET_REPORT_PATH + f"?token={TOKEN}", data=body)
        assert answer.status == 200 and await answer.json() == {"code": 0, "msg": "成功"}
        again = await client.post(SECRET_REPORT_PATH, data=body, headers={"X-Leadflow-Token": TOKEN})
        assert again.status == 200
        bad = await client.post(
            SECRET_REPORT_PATH + f"?token={TOKEN}",
            data=json.dumps([{"call_id": "x", "sub_id": 1, "release_time": "yesterday"}]),
        )
        assert bad.status == 400 and "[0].release_time" in (await bad.json())["msg"]
    view = await world.handlers.calls.get_call(admin(world.tenant), started.call.call_id)
    progress = view.call.progress
    assert progress.state is CallState.ENDED and progress.outcome is CallOutcome.ANSWERED
    assert progress.decided_by is EvidenceSource.CALL_TIMES  # release_cause 31 alone says nothing
    assert progress.talk_duration == timedelta(seconds=3)
    assert progress.answer_time == datetime(2026, 3, 2, 2, 11, 38, tzinfo=UTC)  # 10:11:38 Beijing
    assert progress.release_direction is ReleaseDirection.CALLER
    assert progress.recording is not None and progress.recording.uri.endswith("abc.mp3")
    assert view.call.completion_revision == 1  # the repeated push changed nothing
    released, _ = await world.handlers.bindings.release(admin(world.tenant), started.binding.binding_id)
    assert released.release_time is not None and api.unbinds[-1]["SubsId"] == subs_id


async def test_a_refused_binding_leaves_nothing_and_a_retry_starts_afresh(world: World, dyplsapi) -> None:  # type: ignore[no-untyped-def]
    api, port = dyplsapi
    world = _aliyun_world(world, port)
    await world.handlers.numbers.add_numbers(
        admin(world.tenant), [NewNumber("+8617100008888", "广东省", "深圳市", "aliyun", 1, 0)], unique("add")
    )
    lead = world.lead(holder=world.agent())
    from services.telephony.domain.call import CallMode
    from services.telephony.domain.commands import StartCallCommand

    command = StartCallCommand(lead, "", unique("r"), CallMode.DIRECT_DIAL)
    api.refuse_with = "isv.NUMBER_NOT_EXIST"
    with pytest.raises(FailedPrecondition) as refused:
        await world.handlers.calls.start_call(admin(world.tenant), command)
    assert (
        refused.value.reason == "CARRIER_REFUSED" and refused.value.metadata["code"] == "isv.NUMBER_NOT_EXIST"
    )
    api.refuse_with = ""
    started = await world.handlers.calls.start_call(admin(world.tenant), command)
    assert started.call.attempt_number == 1 and started.binding.provider_binding_id
    with pytest.raises(FailedPrecondition) as callback:
        await world.handlers.calls.start_call(
            admin(world.tenant),
            StartCallCommand(world.lead(holder=world.agent()), "", unique("r"), CallMode.CALLBACK),
        )
    assert callback.value.reason in ("CALLBACK_UNSUPPORTED", "NO_NUMBER_AVAILABLE")


def test_the_simulator_is_deterministic_under_a_seed() -> None:
    start = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    runs = []
    for _ in range(2):
        simulator = SimulatedCarrier(FakeClock(start), seed=42)
        calls = [simulator.simulate("b", start) for _ in range(50)]
        runs.append(
            (
                [(c.scenario.outcome, c.profile, c.release) for c in calls],
                [r.event for r in simulator.due(start + timedelta(days=1))],
            )
        )
    assert runs[0] == runs[1]
    assert len({outcome for outcome, _, _ in runs[0][0]}) >= 6  # a realistic mix, not one outcome
