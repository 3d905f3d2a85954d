"""Input rules for agents and teams: creation, and updates under a field mask (AIP-134). Pure.

- Create: every field is checked; an unset status means ONLINE, weight 0 means 1.
- Update: ``update_mask`` names top-level fields among ``WRITABLE_AGENT_FIELDS`` (``*`` = all of them); an empty
  mask means every field the request populates (a non-empty string or list, a non-zero number or enum, a
  working_hours message). Output-only fields in the mask are INVALID_ARGUMENT on ``update_mask.paths[i]``, as are
  unknown ones. An update that changes nothing returns the agent unchanged (no new revision, no event).
- Phone: E.164 (``+8613800138000``) and a valid number for its region by libphonenumber's metadata; it is personal
  data, so messages never repeat it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any, Generic, TypeVar

from services.assign.domain.agents import MAX_WEIGHT, Agent, Team
from services.assign.domain.checks import (
    MAX_ID_LENGTH,
    WindowDraft,
    check_enum,
    check_identifier,
    check_name,
    check_time_zone,
    check_window,
)
from services.assign.domain.enums import AgentStatus, DayOfWeek
from services.assign.domain.hours import DEFAULT_TIME_ZONE, Shift, WorkingHours
from services.assign.domain.leads import Region
from services.common.errors import ViolationCollector

MAX_NAME_LENGTH = 64
MAX_REGIONS = 100
MAX_REGION_NAME_LENGTH = 32
MAX_SHIFTS = 28
MAX_LIMIT = 100_000
MAX_TEAM_ADMINS = 20
MAX_USER_ID_LENGTH = 128
_E164 = re.compile(r"\+[1-9]\d{6,14}")

WRITABLE_AGENT_FIELDS = (
    "team_id",
    "display_name",
    "phone",
    "regions",
    "weight",
    "daily_capacity",
    "max_held_leads",
    "working_hours",
    "status",
    "user_id",
)
OUTPUT_ONLY_AGENT_FIELDS = ("id", "create_time", "update_time", "phone_masked", "revision")
WRITABLE_TEAM_FIELDS = ("display_name", "admin_agent_ids")
OUTPUT_ONLY_TEAM_FIELDS = ("id", "create_time", "update_time")


@dataclass(frozen=True)
class ShiftDraft:
    day_of_week: int
    window: WindowDraft


@dataclass(frozen=True)
class WorkingHoursDraft:
    time_zone: str = ""
    shifts: tuple[ShiftDraft, ...] = ()


@dataclass(frozen=True)
class AgentDraft:
    """An Agent message as sent, enums as numbers; ``working_hours`` None when the message is unset."""

    team_id: str = ""
    display_name: str = ""
    phone: str = ""
    regions: tuple[Region, ...] = ()
    weight: int = 0
    daily_capacity: int = 0
    max_held_leads: int = 0
    working_hours: WorkingHoursDraft | None = None
    status: int = 0
    user_id: str = ""


@dataclass(frozen=True)
class TeamDraft:
    display_name: str = ""
    admin_agent_ids: tuple[str, ...] = ()


T = TypeVar("T")


@dataclass(frozen=True)
class Change(Generic[T]):
    """The stored value after an update and the fields that changed (empty: nothing to store or announce)."""

    value: T
    changed_fields: tuple[str, ...]


def new_agent(agent_id: str, draft: AgentDraft, now: datetime) -> Agent:
    """The agent to create; raises InvalidArgument naming every bad ``agent.*`` field."""
    errors = ViolationCollector()
    values = _agent_values(draft, WRITABLE_AGENT_FIELDS, errors)
    errors.raise_if_any()
    if values["status"] == AgentStatus.UNSPECIFIED:
        values["status"] = AgentStatus.ONLINE
    return Agent(id=agent_id, revision=1, create_time=now, update_time=now, **values)


def check_agent_update(draft: AgentDraft, mask: Sequence[str]) -> dict[str, Any]:
    """The masked fields' new values; raises InvalidArgument (``agent.*``, ``update_mask``). Needs no stored agent,
    so a bad request is refused before anything is looked up."""
    errors = ViolationCollector()
    paths = _mask_paths(
        mask, WRITABLE_AGENT_FIELDS, OUTPUT_ONLY_AGENT_FIELDS, _populated_agent(draft), errors
    )
    values = _agent_values(draft, paths, errors, updating=True)
    errors.raise_if_any()
    return values


def update_agent(current: Agent, draft: AgentDraft, mask: Sequence[str], now: datetime) -> Change[Agent]:
    """``current`` with the masked fields of ``draft``; raises InvalidArgument (``agent.*``, ``update_mask``)."""
    values = check_agent_update(draft, mask)
    paths = tuple(values)
    changed = tuple(name for name in paths if getattr(current, name) != values[name])
    if not changed:
        return Change(current, ())
    updated = replace(
        current, revision=current.revision + 1, update_time=now, **{n: values[n] for n in changed}
    )
    return Change(updated, changed)


def new_team(team_id: str, draft: TeamDraft, now: datetime) -> Team:
    errors = ViolationCollector()
    values = _team_values(draft, WRITABLE_TEAM_FIELDS, errors)
    errors.raise_if_any()
    return Team(id=team_id, create_time=now, update_time=now, **values)


def check_team_update(draft: TeamDraft, mask: Sequence[str]) -> dict[str, Any]:
    """The masked fields' new values; raises InvalidArgument (``team.*``, ``update_mask``)."""
    errors = ViolationCollector()
    populated = tuple(name for name in WRITABLE_TEAM_FIELDS if getattr(draft, name))
    paths = _mask_paths(mask, WRITABLE_TEAM_FIELDS, OUTPUT_ONLY_TEAM_FIELDS, populated, errors)
    values = _team_values(draft, paths, errors)
    errors.raise_if_any()
    return values


def update_team(current: Team, draft: TeamDraft, mask: Sequence[str], now: datetime) -> Change[Team]:
    values = check_team_update(draft, mask)
    paths = tuple(values)
    changed = tuple(name for name in paths if getattr(current, name) != values[name])
    if not changed:
        return Change(current, ())
    return Change(replace(current, update_time=now, **{n: values[n] for n in changed}), changed)


def _mask_paths(
    mask: Sequence[str],
    writable: tuple[str, ...],
    output_only: tuple[str, ...],
    populated: tuple[str, ...],
    errors: ViolationCollector,
) -> tuple[str, ...]:
    if not mask:
        if not populated:
            errors.add("update_mask", "is required when the request sets no field")
        return populated
    if "*" in mask:
        return writable
    paths: list[str] = []
    for index, path in enumerate(mask):
        if path in output_only:
            errors.add(f"update_mask.paths[{index}]", f"{path} is output only")
        elif path not in writable:
            errors.add(f"update_mask.paths[{index}]", f"{path} is not a writable field")
        elif path not in paths:
            paths.append(path)
    return tuple(paths)


def _populated_agent(draft: AgentDraft) -> tuple[str, ...]:
    names = [f.name for f in fields(draft) if f.name != "working_hours" and getattr(draft, f.name)]
    if draft.working_hours is not None:
        names.append("working_hours")
    return tuple(name for name in WRITABLE_AGENT_FIELDS if name in names)


def _agent_values(
    draft: AgentDraft, paths: Sequence[str], errors: ViolationCollector, *, updating: bool = False
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in paths:
        path = f"agent.{name}"
        if name == "team_id":
            check_identifier(errors, path, draft.team_id)
            values[name] = draft.team_id
        elif name == "display_name":
            check_name(errors, path, draft.display_name, MAX_NAME_LENGTH)
            values[name] = draft.display_name.strip()
        elif name == "phone":
            _check_phone(errors, path, draft.phone)
            values[name] = draft.phone
        elif name == "regions":
            values[name] = _regions(errors, path, draft.regions)
        elif name == "weight":
            _check_range(errors, path, draft.weight, 0, MAX_WEIGHT)
            values[name] = max(1, draft.weight)
        elif name in ("daily_capacity", "max_held_leads"):
            _check_range(errors, path, getattr(draft, name), 0, MAX_LIMIT)
            values[name] = getattr(draft, name)
        elif name == "working_hours":
            values[name] = _working_hours(errors, path, draft.working_hours or WorkingHoursDraft())
        elif name == "status":
            check_enum(errors, path, draft.status, AgentStatus, required=updating)
            values[name] = _enum_or(AgentStatus, draft.status)
        elif name == "user_id":
            check_identifier(errors, path, draft.user_id, required=False, max_length=MAX_USER_ID_LENGTH)
            values[name] = draft.user_id
    return values


def _team_values(draft: TeamDraft, paths: Sequence[str], errors: ViolationCollector) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "display_name" in paths:
        check_name(errors, "team.display_name", draft.display_name, MAX_NAME_LENGTH)
        values["display_name"] = draft.display_name.strip()
    if "admin_agent_ids" in paths:
        if len(draft.admin_agent_ids) > MAX_TEAM_ADMINS:
            errors.add("team.admin_agent_ids", f"must have at most {MAX_TEAM_ADMINS} entries")
        for index, agent_id in enumerate(draft.admin_agent_ids):
            check_identifier(errors, f"team.admin_agent_ids[{index}]", agent_id, max_length=MAX_ID_LENGTH)
        values["admin_agent_ids"] = tuple(dict.fromkeys(draft.admin_agent_ids))
    return values


def _enum_or(enum: type[AgentStatus], value: int) -> AgentStatus:
    return enum(value) if value in enum._value2member_map_ else enum.UNSPECIFIED


def _check_range(errors: ViolationCollector, path: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        errors.add(path, f"must be from {low} to {high}")


def _check_phone(errors: ViolationCollector, path: str, phone: str) -> None:
    if not phone:
        return
    if not _E164.fullmatch(phone):
        errors.add(path, "must be in E.164 form, for example +8613800138000")
        return
    # Imported here: only creating or editing an agent needs it, and phonenumbers is ~2 MB of an idle assign's RSS.
    import phonenumbers

    try:
        valid = phonenumbers.is_valid_number(phonenumbers.parse(phone, None))
    except phonenumbers.NumberParseException:
        valid = False
    if not valid:
        errors.add(path, "is not a valid phone number")


def check_region(errors: ViolationCollector, path: str, region: Region) -> None:
    if not region.province.strip():
        errors.add(f"{path}.province", "is required")
    for part in ("province", "city"):
        value = getattr(region, part)
        if len(value) > MAX_REGION_NAME_LENGTH or value != value.strip():
            errors.add(f"{path}.{part}", f"must be at most {MAX_REGION_NAME_LENGTH} characters, trimmed")


def _regions(errors: ViolationCollector, path: str, regions: tuple[Region, ...]) -> tuple[Region, ...]:
    if len(regions) > MAX_REGIONS:
        errors.add(path, f"must have at most {MAX_REGIONS} entries")
    for index, region in enumerate(regions):
        check_region(errors, f"{path}[{index}]", region)
    return tuple(dict.fromkeys(regions))


def _working_hours(errors: ViolationCollector, path: str, draft: WorkingHoursDraft) -> WorkingHours:
    check_time_zone(errors, f"{path}.time_zone", draft.time_zone)
    if len(draft.shifts) > MAX_SHIFTS:
        errors.add(f"{path}.shifts", f"must have at most {MAX_SHIFTS} entries")
    shifts: list[Shift] = []
    for index, shift in enumerate(draft.shifts):
        shift_path = f"{path}.shifts[{index}]"
        check_enum(errors, f"{shift_path}.day_of_week", shift.day_of_week, DayOfWeek)
        window = check_window(errors, f"{shift_path}.window", shift.window)
        if window is not None and shift.day_of_week in DayOfWeek._value2member_map_ and shift.day_of_week:
            shifts.append(Shift(DayOfWeek(shift.day_of_week), window))
    return WorkingHours(draft.time_zone or DEFAULT_TIME_ZONE, tuple(shifts))
