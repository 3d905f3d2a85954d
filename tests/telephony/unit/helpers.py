"""Builders shared by the telephony unit tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.telephony.domain.call import Call, CallMode

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def new_call(call_id: str = "call-1") -> Call:
    return Call(
        call_id=call_id,
        tenant_id="t1",
        lead_id="lead-1",
        agent_id="agent-1",
        account_id="acct-1",
        binding_id="bind-1",
        number_id="num-1",
        masked_number="+8617000000001",
        mode=CallMode.DIRECT_DIAL,
        attempt_number=1,
        start_time=T0,
    )
