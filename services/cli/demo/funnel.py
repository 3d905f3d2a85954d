"""The final funnel table: what the services say about the day (read back through their APIs), next to what the
demo saw in their answers, with every difference named."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from services.cli.demo import cast
from services.cli.demo.plan import DayPlan, Story
from services.cli.demo.readback import Readback
from services.cli.demo.tally import Tally

FEN_PER_YUAN = 100


def yuan(fen: int) -> str:
    return f"¥{fen / FEN_PER_YUAN:,.2f}"


@dataclass(frozen=True)
class Difference:
    what: str
    demo: int
    services: int


def differences(tally: Tally, back: Readback) -> list[Difference]:
    """Every figure both sides count, where they disagree."""
    pairs = [
        ("submissions", tally.submitted, back.submissions),
        ("leads created (NEW + RETURNING)", tally.accepted, len(back.lead_ids)),
        ("calls started", tally.calls_started, back.calls),
        ("charged (fen)", tally.charged_fen, back.charged_fen),
    ]
    for verdict in sorted(set(tally.verdicts) | set(back.verdicts)):
        pairs.append((f"verdict {verdict}", tally.verdicts[verdict], back.verdicts[verdict]))
    for code in sorted(set(tally.rejections) | set(back.rejections)):
        pairs.append((f"rejected {code}", tally.rejections[code], back.rejections[code]))
    for dimension in sorted(set(tally.duplicate_dimensions) | set(back.duplicate_dimensions)):
        pairs.append(
            (
                f"duplicate on {dimension}",
                tally.duplicate_dimensions[dimension],
                back.duplicate_dimensions[dimension],
            )
        )
    return [Difference(what, demo, services) for what, demo, services in pairs if demo != services]


def _section(title: str) -> Table:
    table = Table(title=title, title_justify="left", show_header=True, header_style="bold", expand=False)
    table.add_column("", min_width=34)
    table.add_column("services", justify="right")
    table.add_column("demo saw", justify="right")
    return table


def _counts(
    table: Table, counts: Counter[str] | None, seen: Counter[str] | None = None, indent: str = "  "
) -> None:
    """One row per name: the services' count (None: they do not count it) and the demo's (None: it does not)."""
    services, demo = counts or Counter(), seen or Counter()
    for name in sorted(set(services) | set(demo), key=lambda n: (-max(services[n], demo[n]), n)):
        table.add_row(
            f"{indent}{name}",
            "" if counts is None else str(services[name]),
            "" if seen is None else str(demo[name]),
        )


def _stories(plan: DayPlan, tally: Tally, back: Readback) -> Table:
    """What each kind of submission was meant to show, and what the services decided for it."""
    table = Table(title="What the day meant to show, and what the services decided", title_justify="left")
    table.add_column("story")
    table.add_column("planned", justify="right")
    table.add_column("verdicts (services)")
    table.add_column("verdicts (demo saw)")
    decided: dict[str, Counter[str]] = {}
    for planned in plan.day:
        verdict = back.verdict_of.get(planned.external_id)
        if verdict is not None:
            decided.setdefault(planned.story, Counter())[verdict] += 1
    for story in Story:
        count = plan.expected(story)
        if not count:
            continue
        seen = Counter({v: n for (s, v), n in tally.story_verdicts.items() if s == story})
        table.add_row(story.value, str(count), _verdicts(decided.get(story, Counter())), _verdicts(seen))
    return table


def _verdicts(counts: Counter[str]) -> str:
    return ", ".join(f"{verdict} {count}" for verdict, count in counts.most_common())


def render_final(
    tally: Tally, back: Readback, *, plan: DayPlan, tenant: str, notes: list[str]
) -> RenderableType:
    parts: list[RenderableType] = []

    parts.append(_stories(plan, tally, back))

    subs = _section("Submissions (ingest, dedup)")
    subs.add_row("planned", "", str(len(plan.day)))
    subs.add_row("submitted", str(back.submissions), str(tally.submitted))
    for verdict in ("NEW", "RETURNING", "DUPLICATE", "REJECTED"):
        subs.add_row(f"  {verdict}", str(back.verdicts[verdict]), str(tally.verdicts[verdict]))
    subs.add_row("rejected by reason", "", "")
    _counts(subs, back.rejections, tally.rejections, "    ")
    subs.add_row("duplicates by dimension", "", "")
    _counts(subs, back.duplicate_dimensions, tally.duplicate_dimensions, "    ")
    subs.add_row("phone taken from the WeChat ID", str(back.phone_from_wechat), str(tally.phone_from_wechat))
    subs.add_row(
        "several numbers in one cell", str(back.with_alternate_phones), str(tally.with_alternate_phones)
    )
    subs.add_row("charged", yuan(back.charged_fen), yuan(tally.charged_fen))
    subs.add_row("submissions per account", "", "")
    _counts(subs, back.by_account, None, "    ")
    parts.append(subs)

    leads = _section("Leads (ingest) and assignment (assign)")
    leads.add_row("leads created", str(len(back.lead_ids)), str(tally.accepted))
    leads.add_row("lead status now", "", "")
    _counts(leads, back.lead_status, None, "    ")
    leads.add_row("assigned leads (assignments)", f"{back.assigned_leads} ({back.assignments})", "")
    leads.add_row("assignments per agent", "", "")
    _counts(leads, back.per_agent, None, "    ")
    leads.add_row("assignments per rule or reason", "", "")
    _counts(leads, back.per_rule, None, "    ")
    leads.add_row("assignment states now", "", "")
    _counts(leads, back.assignment_states, None, "    ")
    leads.add_row("waiting in the public pool, by reason", "", "")
    _counts(leads, back.pooled, None, "    ")
    leads.add_row("claimed from the pool by agents", "", str(tally.pool_claims))
    leads.add_row("calls recorded as follow-ups by assign", str(back.call_follow_ups), "")
    leads.add_row(
        "agents' follow-ups after a conversation",
        str(sum(back.follow_ups.values())),
        str(sum(tally.follow_ups.values())),
    )
    _counts(leads, back.follow_ups, tally.follow_ups, "    ")
    parts.append(leads)

    calls = _section("Calls (telephony, simulated carrier)")
    calls.add_row("calls started", str(back.calls), str(tally.calls_started))
    calls.add_row("call states now", "", "")
    _counts(calls, back.call_states, None, "    ")
    calls.add_row("outcomes", "", "")
    _counts(calls, back.outcomes, tally.outcomes_seen, "    ")
    calls.add_row("outcomes announced again after later receipts", str(back.corrected_outcomes), "")
    calls.add_row("carrier codes kept as evidence", str(back.evidence), "")
    changed = sum(
        1 for call, seen in tally.call_outcome_seen.items() if back.outcome_of.get(call, seen) != seen
    )
    calls.add_row("outcomes changed after the agent looked (late receipts)", "", str(changed))
    if tally.calls_left_open:
        calls.add_row("leads left with calls the carrier never ended", "", str(tally.calls_left_open))
    calls.add_row("StartCall refused, by reason", "", "")
    _counts(calls, None, tally.call_refusals, "    ")
    parts.append(calls)

    refunds = _section("Refunds (refund)")
    refunds.add_row("cases by state", "", "")
    _counts(refunds, back.cases, None, "    ")
    refunds.add_row("not refundable, by reason", "", "")
    _counts(refunds, back.case_rejections, None, "    ")
    refunds.add_row("refunds paid, by reason", "", "")
    for reason, count in back.refunds.most_common():
        refunds.add_row(f"    {reason}", f"{count}  {yuan(back.refunded_fen[reason])}", "")
    refunds.add_row("refunds paid, total", f"{back.refunds_total}  {yuan(back.refunded_total_fen)}", "")
    for currency in sorted(set(back.debits_fen) | set(back.credits_fen)) or ["CNY"]:
        balance = back.debits_fen[currency] - back.credits_fen[currency]
        refunds.add_row(
            f"ledger {currency}: debits / credits",
            f"{yuan(back.debits_fen[currency])} / {yuan(back.credits_fen[currency])}",
            "",
        )
        refunds.add_row(
            f"ledger {currency} balance",
            f"{yuan(balance)} ({'balanced' if balance == 0 else 'IMBALANCED'})",
            "",
        )
    parts.append(refunds)

    found = differences(tally, back)
    if found:
        lines = ["[bold red]The demo's own counts and the services' differ:[/]"] + [
            f"  {d.what}: demo saw {d.demo}, services say {d.services}" for d in found
        ]
    else:
        lines = [
            "[bold green]The demo's own counts and the services' agree[/] (submissions, verdicts, rejections, "
            "duplicates, leads, calls started, charges; call outcomes differ by the late receipts above)."
        ]
    lines += notes
    token_command = f".venv/bin/leadflow token --tenant {tenant} --role admin"
    lines.append(f"tenant [bold]{tenant}[/], seed {plan.seed}: `{token_command}` for a token")
    parts.append(Text.from_markup("\n".join(lines)))
    return Group(*parts)


def agent_name(key: str) -> str:
    return next(a.name for a in cast.AGENTS if a.key == key)
