"""Refund rules: UpdateRefundRules requests to patches, stored rules to ``leadflow.refund.v1.RefundRules``.

Proto semantics (refund_service.proto): an unset duration and a 0 count mean the documented default, so a masked
field left unset or 0 goes back to its default; ``refund_duplicate_charges`` is an optional bool.
"""

from __future__ import annotations

from leadflow.refund.v1 import refund_service_pb2 as pb
from services.common.protoconv import duration, timestamp, to_timedelta
from services.refund.domain.rules import RulesPatch, RuleValue, StoredRules

DURATION_FIELDS = (
    "min_talk_duration",
    "min_ring_duration",
    "reach_window",
    "first_attempt_callable_duration",
    "claim_window",
    "settling_period",
    "duplicate_charge_window",
)
COUNT_FIELDS = ("min_attempts", "min_distinct_hours", "powered_off_calls")


def rules_patch(request: pb.UpdateRefundRulesRequest) -> RulesPatch:
    rules = request.rules
    values: dict[str, RuleValue] = {}
    for name in DURATION_FIELDS:
        if rules.HasField(name):  # type: ignore[arg-type]
            values[name] = to_timedelta(getattr(rules, name), f"rules.{name}")
    for name in COUNT_FIELDS:
        if getattr(rules, name):
            values[name] = int(getattr(rules, name))
    if rules.HasField("refund_duplicate_charges"):
        values["refund_duplicate_charges"] = rules.refund_duplicate_charges
    return RulesPatch(account_id=rules.account_id, mask=tuple(request.update_mask.paths), values=values)


def rules_message(stored: StoredRules) -> pb.RefundRules:
    rules = stored.rules
    message = pb.RefundRules(
        account_id=stored.account_id,
        min_talk_duration=duration(rules.min_talk_duration),
        min_ring_duration=duration(rules.min_ring_duration),
        min_attempts=rules.min_attempts,
        min_distinct_hours=rules.min_distinct_hours,
        reach_window=duration(rules.reach_window),
        first_attempt_callable_duration=duration(rules.first_attempt_callable_duration),
        powered_off_calls=rules.powered_off_calls,
        claim_window=duration(rules.claim_window),
        settling_period=duration(rules.settling_period),
        refund_duplicate_charges=rules.refund_duplicate_charges,
        updated_by=stored.updated_by,
    )
    if rules.duplicate_charge_window is not None:
        message.duplicate_charge_window.CopyFrom(duration(rules.duplicate_charge_window))
    if stored.update_time is not None:
        message.update_time.CopyFrom(timestamp(stored.update_time))
    return message
