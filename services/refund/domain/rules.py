"""An account's refund rules: every threshold the evaluation uses, its default, and where the default comes from.

Sources (each default below names the one it rests on):

- [ISSUE-10] leadflow issue 10, "Refund service", which states Ocean Engine's (巨量引擎) never-reached (未建联) rule
  as the team read it: any connected call within 24 hours of submission disqualifies the lead. Ocean Engine's and
  Kuaishou's (磁力引擎) refund pages were not in our reference store, so no page of theirs is cited here.
- [TENCENT-PAY] Tencent Ads, 获取无效赔付明细 ``leads_invalid_pay/get``,
  https://developers.e.qq.com/v3.0/docs/api/leads_invalid_pay/get : leads marked 无效-未接通 (invalid, not
  connected) are verified by the platform for 空号 (empty number), 停机 (suspended) and 关机 (powered off), and
  paid back monthly, around the 15th of the next month.
- [TENCENT-STATUS] Tencent Ads, 回传线索状态 ``lead_clues/update``,
  https://developers.e.qq.com/docs/api/insights/leads/lead_clues_update : the invalid reasons an advertiser reports
  include ``LEADS_INEFFECT_REASON_TEL_NOT_CONNECTED`` (never connected), ``LEADS_INEFFECT_REASON_EMPTY`` (empty
  number) and ``LEADS_INEFFECT_REASON_DATA_DUPLICATION`` (a duplicate).
- [TENCENT-CALL] Tencent Ads, 线索上报 DMP 平台 ``leads_action_type_report/add``,
  https://developers.e.qq.com/v3.0/docs/api/leads_action_type_report/add : a connected call (``PHONE_CONNECTED``)
  is reported with its ``call_duration`` in seconds, so the platforms judge connection by talk seconds.

Where a number is leadflow's own choice rather than a platform's, the field says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta

from services.common.errors import FieldViolation, ViolationCollector


@dataclass(frozen=True)
class RefundRules:
    """The rules of one account. Durations are ``timedelta``; counts are ints. Defaults and their sources:

    - ``min_talk_duration`` 10 s: an ANSWERED call shorter than this proves nothing (a hang-up on hearing a sales
      call); it still counts as an attempt. Platforms judge connection by talk seconds [TENCENT-CALL]; the 10 s
      threshold is leadflow's default [ISSUE-10].
    - ``min_ring_duration`` 15 s: a CALLER_CANCELLED call that rang less than this did not give the lead a fair
      chance to answer, so it is not an attempt. leadflow's default [ISSUE-10].
    - ``min_attempts`` 3, ``min_distinct_hours`` 2, ``reach_window`` 24 h: never reached (未建联) needs at least 3
      attempts spread over at least 2 clock hours within 24 hours of submission, with no qualifying answer in
      those 24 hours [ISSUE-10, Ocean Engine as quoted there]; the platforms refund "not connected" leads
      [TENCENT-STATUS, TENCENT-PAY].
    - ``first_attempt_callable_duration`` 12 h: the first attempt must come within 12 callable hours of
      submission, so that a lead left uncalled overnight is not blamed on the lead [ISSUE-10].
    - ``powered_off_calls`` 2: POWERED_OFF (关机) on this many calls, each in a different clock hour, makes the
      lead invalid; one 关机 may be a flat battery [ISSUE-10; 关机 is one of the outcomes Tencent verifies,
      TENCENT-PAY].
    - ``claim_window`` 7 days: an undecided case expires this long after submission [ISSUE-10].
    - ``settling_period`` 6 h: a decision is final (paid, or rejected) only after this long with no earlier
      evidence reversing it, because call records arrive hours late [ISSUE-10].
    - ``refund_duplicate_charges`` True: a second charge for the same person to the same account within the dedup
      window is refunded (DUPLICATE_CHARGE) [TENCENT-STATUS: DATA_DUPLICATION is an invalid reason; ISSUE-10].
    - ``duplicate_charge_window`` None: the dedup window already applied by dedup when it answered DUPLICATE;
      a duration narrows it (the second charge must also fall within it of the kept charge).

    EMPTY_NUMBER (空号) and SUSPENDED (停机) on any call make the lead ELIGIBLE at once; they have no threshold
    [TENCENT-PAY, TENCENT-STATUS].
    """

    min_talk_duration: timedelta = timedelta(seconds=10)
    min_ring_duration: timedelta = timedelta(seconds=15)
    min_attempts: int = 3
    min_distinct_hours: int = 2
    reach_window: timedelta = timedelta(hours=24)
    first_attempt_callable_duration: timedelta = timedelta(hours=12)
    powered_off_calls: int = 2
    claim_window: timedelta = timedelta(days=7)
    settling_period: timedelta = timedelta(hours=6)
    refund_duplicate_charges: bool = True
    duplicate_charge_window: timedelta | None = None


DEFAULT_RULES = RefundRules()

RULE_FIELDS = tuple(f.name for f in fields(RefundRules))

# Bounds that keep a rule meaningful; a value outside them is a typo, not a policy.
_MAX_TALK = timedelta(minutes=10)
_MAX_RING = timedelta(minutes=2)
_MAX_ATTEMPTS = 20
_MAX_POWERED_OFF = 10
_MIN_REACH_WINDOW = timedelta(hours=1)
_MAX_CLAIM_WINDOW = timedelta(days=90)
_MAX_SETTLING = timedelta(days=7)


def rule_violations(rules: RefundRules) -> list[FieldViolation]:
    """Every field of ``rules`` that is out of bounds, named as in the protobuf ``RefundRules``. Empty when valid.

    Bounds: min_talk_duration 1 s..10 min; min_ring_duration 0..2 min; min_attempts 1..20; min_distinct_hours
    1..min_attempts; reach_window 1 h..claim_window; first_attempt_callable_duration > 0 and <= reach_window;
    powered_off_calls 1..10; claim_window <= 90 days; settling_period 0..7 days; duplicate_charge_window > 0
    when set.
    """
    errors = ViolationCollector()
    if not timedelta(seconds=1) <= rules.min_talk_duration <= _MAX_TALK:
        errors.add("min_talk_duration", "must be between 1 second and 10 minutes")
    if not timedelta(0) <= rules.min_ring_duration <= _MAX_RING:
        errors.add("min_ring_duration", "must be between 0 and 2 minutes")
    if not 1 <= rules.min_attempts <= _MAX_ATTEMPTS:
        errors.add("min_attempts", f"must be between 1 and {_MAX_ATTEMPTS}")
    if not 1 <= rules.min_distinct_hours <= max(rules.min_attempts, 1):
        errors.add("min_distinct_hours", "must be between 1 and min_attempts (each attempt is in one hour)")
    if not _MIN_REACH_WINDOW <= rules.reach_window <= rules.claim_window:
        errors.add("reach_window", "must be at least 1 hour and at most claim_window")
    if not timedelta(0) < rules.first_attempt_callable_duration <= rules.reach_window:
        errors.add("first_attempt_callable_duration", "must be positive and at most reach_window")
    if not 1 <= rules.powered_off_calls <= _MAX_POWERED_OFF:
        errors.add("powered_off_calls", f"must be between 1 and {_MAX_POWERED_OFF}")
    if not rules.claim_window <= _MAX_CLAIM_WINDOW:
        errors.add("claim_window", "must be at most 90 days")
    if not timedelta(0) <= rules.settling_period <= _MAX_SETTLING:
        errors.add("settling_period", "must be between 0 and 7 days")
    if rules.duplicate_charge_window is not None and rules.duplicate_charge_window <= timedelta(0):
        errors.add("duplicate_charge_window", "must be positive when set")
    return errors.violations


def check_rules(rules: RefundRules) -> RefundRules:
    """``rules`` unchanged when valid; raises ``InvalidArgument`` naming every bad field otherwise."""
    errors = ViolationCollector(rule_violations(rules))
    errors.raise_if_any()
    return rules


OUTPUT_ONLY_FIELDS = ("account_id", "update_time", "updated_by")

RuleValue = timedelta | int | bool | None


@dataclass(frozen=True)
class StoredRules:
    """An account's rules as stored: only the fields the account set (``overrides``), so that a field never set
    follows the documented default, even if a later release changes it. ``update_time`` is None for an account
    that never changed its rules."""

    account_id: str
    overrides: Mapping[str, RuleValue] = field(default_factory=dict)
    update_time: datetime | None = None
    updated_by: str = ""

    @property
    def rules(self) -> RefundRules:
        return replace(DEFAULT_RULES, **self.overrides)  # type: ignore[arg-type]


@dataclass(frozen=True)
class RulesPatch:
    """An UpdateRefundRules request: ``mask`` as sent (``"*"`` for every writable field, empty for the fields the
    request populates), ``values`` the value of each populated field. A field named by the mask but absent from
    ``values`` goes back to its default (proto: unset or 0 means the default)."""

    account_id: str
    mask: tuple[str, ...]
    values: Mapping[str, RuleValue]


def _masked_fields(patch: RulesPatch, errors: ViolationCollector) -> tuple[str, ...]:
    if not patch.mask:
        populated = tuple(name for name in RULE_FIELDS if name in patch.values)
        if not populated:
            errors.add("update_mask", "names no field and the rules populate none")
        return populated
    chosen: set[str] = set()
    for index, path in enumerate(patch.mask):
        if path == "*":
            chosen.update(RULE_FIELDS)
        elif path in RULE_FIELDS:
            chosen.add(path)
        else:
            why = "is output only" if path in OUTPUT_ONLY_FIELDS else "is not a field of RefundRules"
            errors.add(f"update_mask.paths[{index}]", f"{path!r} {why}")
    return tuple(name for name in RULE_FIELDS if name in chosen)


def apply_rules_patch(
    current: StoredRules, patch: RulesPatch
) -> tuple[dict[str, RuleValue], tuple[str, ...]]:
    """The overrides after ``patch`` and the fields whose effective value changed (in ``RULE_FIELDS`` order).

    Raises InvalidArgument naming ``update_mask.paths[i]`` for unknown or output-only paths and ``rules.<field>``
    for every value out of its bounds (``rule_violations``), checked on the rules as they would be after the change.
    """
    errors = ViolationCollector()
    masked = _masked_fields(patch, errors)
    errors.raise_if_any()
    overrides = dict(current.overrides)
    for name in masked:
        value = patch.values.get(name)
        if value is None or value == getattr(DEFAULT_RULES, name):
            overrides.pop(name, None)
        else:
            overrides[name] = value
    after = StoredRules(current.account_id, overrides).rules
    for violation in rule_violations(after):
        errors.add(f"rules.{violation.field}", violation.description)
    errors.raise_if_any()
    before = current.rules
    changed = tuple(name for name in RULE_FIELDS if getattr(before, name) != getattr(after, name))
    return overrides, changed
