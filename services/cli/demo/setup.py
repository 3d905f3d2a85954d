"""Set up the demo tenant through the services' APIs, as an administrator would on the first day.

In order: ingest (mobile numbers only; the blocklist: blocked phones and sensitive words), dedup (the education
group's policy on phone and WeChat across its three accounts, the children bound to the parent; the dealer's own
policy), assign (teams, agents with working hours and phones, team administrators, each account's assignment
policy), telephony (callable hours, masked numbers in several provinces), refund (each account's rules, read: the
documented defaults). Every create carries a request id derived from the tenant, so running the setup again on the
same tenant creates nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from google.protobuf import duration_pb2, field_mask_pb2

from leadflow.assign.v1 import assign_service_pb2 as assign_pb
from leadflow.common.v1 import lead_pb2, region_pb2, schedule_pb2
from leadflow.dedup.v1 import dedup_service_pb2 as dedup_pb
from leadflow.ingest.v1 import ingest_service_pb2 as ingest_pb
from leadflow.refund.v1 import refund_service_pb2 as refund_pb
from leadflow.telephony.v1 import telephony_service_pb2 as telephony_pb
from services.cli.demo import cast
from services.cli.demo.connection import Connection

# DayOfWeek MONDAY..SUNDAY: the agents work every day of the demo's week.
DAYS = [
    schedule_pb2.DayOfWeek.Value(f"DAY_OF_WEEK_{day}")
    for day in ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
]


@dataclass(frozen=True)
class Tenant:
    """What the setup created: ids by the cast's keys, and the refund rules in force."""

    team_ids: dict[str, str]
    agent_ids: dict[str, str]  # agent key -> agent id
    refund_rules: dict[str, refund_pb.RefundRules]
    masked_numbers: int

    @property
    def agent_keys(self) -> dict[str, str]:
        return {agent_id: key for key, agent_id in self.agent_ids.items()}


def _mask(*paths: str) -> field_mask_pb2.FieldMask:
    return field_mask_pb2.FieldMask(paths=list(paths))


def _days(days: int) -> duration_pb2.Duration:
    return duration_pb2.Duration(seconds=days * 86400)


def _window(start: tuple[int, int], end: tuple[int, int]) -> schedule_pb2.DailyWindow:
    return schedule_pb2.DailyWindow(
        start=schedule_pb2.TimeOfDay(hours=start[0], minutes=start[1]),
        end=schedule_pb2.TimeOfDay(hours=end[0], minutes=end[1]),
    )


def _regions(provinces: tuple[str, ...]) -> list[region_pb2.Region]:
    return [region_pb2.Region(province=p) for p in provinces]


async def set_up(conn: Connection, seed: int) -> Tenant:
    drawn = cast.draw_cast(seed)
    await _ingest(conn, drawn)
    await _dedup(conn)
    teams, agents = await _assign(conn, drawn)
    numbers = await _telephony(conn, drawn)
    rules = await _refund(conn)
    return Tenant(teams, agents, rules, numbers)


async def _ingest(conn: Connection, drawn: cast.Cast) -> None:
    ingest = conn.stubs.ingest
    await conn.call(
        ingest.UpdateIngestSettings,
        ingest_pb.UpdateIngestSettingsRequest(
            settings=ingest_pb.IngestSettings(landline_allowed=False), update_mask=_mask("landline_allowed")
        ),
    )
    entries = [
        ingest_pb.BlocklistEntry(
            kind=ingest_pb.BLOCKLIST_ENTRY_KIND_PHONE, value=phone, note="投诉过的号码 (complained)"
        )
        for phone in drawn.blocked_phones
    ] + [
        ingest_pb.BlocklistEntry(kind=ingest_pb.BLOCKLIST_ENTRY_KIND_KEYWORD, value=word, note="违规词")
        for word in cast.BLOCKED_KEYWORDS
    ]
    await conn.call(ingest.SetBlocklist, ingest_pb.SetBlocklistRequest(entries=entries))


async def _dedup(conn: Connection) -> None:
    dedup = conn.stubs.dedup
    phone_and_wechat = [lead_pb2.DEDUP_DIMENSION_PHONE, lead_pb2.DEDUP_DIMENSION_WECHAT]
    group = dedup_pb.DedupPolicy(
        account_id=cast.GROUP_PARENT,
        scope=dedup_pb.DEDUP_SCOPE_ACCOUNT_GROUP,
        dimensions=phone_and_wechat,
        windows=[
            dedup_pb.DimensionWindow(dimension=d, window=_days(cast.DEDUP_WINDOW_DAYS))
            for d in phone_and_wechat
        ],
        action=dedup_pb.DEDUP_ACTION_MERGE,
    )
    dealer = dedup_pb.DedupPolicy(
        account_id=cast.DEALER,
        scope=dedup_pb.DEDUP_SCOPE_ACCOUNT,
        dimensions=[lead_pb2.DEDUP_DIMENSION_PHONE],
        windows=[
            dedup_pb.DimensionWindow(
                dimension=lead_pb2.DEDUP_DIMENSION_PHONE, window=_days(cast.DEALER_WINDOW_DAYS)
            )
        ],
        action=dedup_pb.DEDUP_ACTION_MERGE,
    )
    for policy in (group, dealer):
        await conn.call(
            dedup.UpdateDedupPolicy,
            dedup_pb.UpdateDedupPolicyRequest(
                policy=policy, update_mask=_mask("scope", "dimensions", "windows", "action")
            ),
        )
    for child in cast.GROUP_CHILDREN:
        await conn.call(
            dedup.BindAccount,
            dedup_pb.BindAccountRequest(parent_account_id=cast.GROUP_PARENT, child_account_id=child),
        )


async def _assign(conn: Connection, drawn: cast.Cast) -> tuple[dict[str, str], dict[str, str]]:
    assign, tenant = conn.stubs.assign, conn.tokens.tenant
    teams: dict[str, str] = {}
    for team in cast.TEAMS:
        reply = await conn.call(
            assign.CreateTeam,
            assign_pb.CreateTeamRequest(
                team=assign_pb.Team(display_name=team.name), request_id=f"{tenant}-team-{team.key}"
            ),
        )
        teams[team.key] = reply.team.id
    agents: dict[str, str] = {}
    for spec in cast.AGENTS:
        hours = assign_pb.WorkingHours(
            time_zone=cast.TIME_ZONE,
            shifts=[
                assign_pb.Shift(day_of_week=day, window=_window((spec.shift[0], 0), (spec.shift[1], 0)))
                for day in DAYS
            ],
        )
        agent = assign_pb.Agent(
            team_id=teams[spec.team],
            display_name=spec.name,
            phone=drawn.agent_phones[spec.key],
            regions=_regions(spec.regions),
            weight=spec.weight,
            daily_capacity=spec.daily_capacity,
            max_held_leads=spec.max_held_leads,
            working_hours=hours,
            status=assign_pb.AGENT_STATUS_ONLINE,
            user_id=spec.user_id,
        )
        reply = await conn.call(
            assign.CreateAgent,
            assign_pb.CreateAgentRequest(agent=agent, request_id=f"{tenant}-agent-{spec.key}"),
        )
        agents[spec.key] = reply.agent.id
    for team in cast.TEAMS:
        admins = [agents[a.key] for a in cast.AGENTS if a.team == team.key and a.admin]
        await conn.call(
            assign.UpdateTeam,
            assign_pb.UpdateTeamRequest(
                team=assign_pb.Team(id=teams[team.key], admin_agent_ids=admins),
                update_mask=_mask("admin_agent_ids"),
            ),
        )
    for account in cast.ACCOUNTS:
        rules = cast.DEALER_RULES if account == cast.DEALER else cast.GROUP_RULES
        policy = assign_pb.AssignmentPolicy(
            account_id=account, rules=[_rule(rule, teams, agents) for rule in rules]
        )
        await conn.call(
            assign.SetAssignmentPolicy,
            assign_pb.SetAssignmentPolicyRequest(policy=policy, request_id=f"{tenant}-policy-{account}"),
        )
    return teams, agents


def _rule(rule: cast.RuleSpec, teams: dict[str, str], agents: dict[str, str]) -> assign_pb.AssignmentRule:
    return assign_pb.AssignmentRule(
        id=rule.rule_id,
        display_name=rule.name,
        criteria=assign_pb.RuleCriteria(
            channels=[lead_pb2.Channel.Value(f"CHANNEL_{c}") for c in rule.channels],
            regions=_regions(rule.provinces),
        ),
        method=assign_pb.AssignmentMethod.Value(f"ASSIGNMENT_METHOD_{rule.method}"),
        team_id=teams[rule.team] if rule.team else "",
        agent_id=agents[rule.agent] if rule.agent else "",
    )


async def _telephony(conn: Connection, drawn: cast.Cast) -> int:
    telephony = conn.stubs.telephony
    await conn.call(
        telephony.UpdateTelephonySettings,
        telephony_pb.UpdateTelephonySettingsRequest(
            settings=telephony_pb.TelephonySettings(
                callable_hours=_window(*cast.CALLABLE_HOURS), default_time_zone=cast.TIME_ZONE
            ),
            update_mask=_mask("callable_hours", "default_time_zone"),
        ),
    )
    reply = await conn.call(
        telephony.AddNumbers,
        telephony_pb.AddNumbersRequest(
            numbers=[telephony_pb.MaskedNumber(phone_number=number) for number in drawn.masked_numbers],
            request_id=f"{conn.tokens.tenant}-numbers",
        ),
    )
    return len(reply.numbers)


async def _refund(conn: Connection) -> dict[str, refund_pb.RefundRules]:
    rules = {}
    for account in cast.ACCOUNTS:
        reply = await conn.call(
            conn.stubs.refund.GetRefundRules, refund_pb.GetRefundRulesRequest(account_id=account)
        )
        rules[account] = reply.rules
    return rules
