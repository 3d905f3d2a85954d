"""The call scenarios of the simulated carrier: what happens on a call to a lead, how often, and the codes each
provider reports for it.

The mix is that of outbound calls to fresh leads in China as lead-CRM vendors describe it (roughly four in ten
answered; no-answer, switched-off, busy, rejected and unreachable next; a few empty, suspended and blocked numbers),
and each scenario carries the codes the providers document for it: Huawei ``stateCode`` (话单 / 呼叫事件),
Aliyun ``release_cause`` (with ``unconnected_cause``/``call_type`` for interceptions), the SIP status with its
Q.850 cause (RFC 3326), and the early-media announcement. Running the real classifier over these codes must give
each scenario's ``outcome``: the tests hold the simulator to the mapping tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.telephony.domain.outcomes import CallOutcome


@dataclass(frozen=True)
class Scenario:
    outcome: CallOutcome
    weight: float
    rings: bool  # the lead's phone really rang
    answered: bool
    released_by_caller: bool
    huawei_state_code: int
    aliyun_release_cause: int | None
    sip: int
    q850: int
    announcement: str = ""
    aliyun_unconnected_cause: int | None = None
    aliyun_call_type: int | None = None


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(CallOutcome.ANSWERED, 0.42, True, True, False, 0, 16, 200, 16),
    Scenario(CallOutcome.NO_ANSWER, 0.17, True, False, False, 8101, 19, 480, 19),
    Scenario(CallOutcome.POWERED_OFF, 0.07, False, False, False, 8104, 20, 480, 20, "您拨打的电话已关机"),
    Scenario(
        CallOutcome.BUSY, 0.07, False, False, False, 8102, 17, 486, 17, "您拨打的电话正在通话中，请稍后再拨"
    ),
    Scenario(CallOutcome.REJECTED, 0.06, True, False, False, 7503, 21, 603, 21),
    Scenario(
        CallOutcome.UNREACHABLE,
        0.06,
        False,
        False,
        False,
        8103,
        4,
        503,
        41,
        "您拨打的电话暂时无法接通，请稍后再拨",
    ),
    Scenario(CallOutcome.CALLER_CANCELLED, 0.05, True, False, True, 7501, None, 487, 0),
    Scenario(
        CallOutcome.EMPTY_NUMBER,
        0.04,
        False,
        False,
        False,
        8100,
        1,
        404,
        1,
        "您拨打的号码是空号，请查证后再拨",
    ),
    Scenario(CallOutcome.SUSPENDED, 0.03, False, False, False, 8105, 4, 480, 0, "您拨打的电话已停机"),
    Scenario(CallOutcome.BLOCKED, 0.03, False, False, False, 7001, None, 603, 0, "", 1, 4),
)
