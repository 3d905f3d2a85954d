"""What must hold once a faulted pipeline has drained, read from each service's own database (SQLite file or
PostgreSQL, read only):

- ingest: every acknowledged submission is stored once, on the lead it was answered with; one lead per person;
- assign: every lead is assigned exactly once (one assignment row, none for a lead ingest does not have), and
  ROUND_ROBIN stays within one lead between agents;
- events: every event a producer committed reached each of its consumers once in effect: the consumer's inbox holds
  exactly the producer's event ids of its subjects, nothing is left unsent in an outbox, nothing dead-lettered; and
  the effects are there: every lead ASSIGNED in ingest (``lead.assigned``), known to telephony (``lead.accepted``),
  one refund case per charged submission (``lead.accepted``/``lead.duplicate``);
- refund: no charge refunded twice, each duplicate charge refunded once, and the ledger balances: debits equal
  credits, and both equal the refunds paid;
- calls, when the run made some (``tests.chaos.calls``): every call StartCall answered is stored once and no lead
  was called twice; every call whose receipt was acknowledged ended with the outcome the receipt said, and that is
  the outcome it published; ingest holds the lead CONTACTED after a conversation, and after an empty number the
  number dead and the lead INVALID (refunded); every other lead ASSIGNED; refund paid each empty-number lead's
  charge once (EMPTY_NUMBER), no other.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from services.common import events
from services.common.leadenums import CallOutcome, LeadStatus
from tests.chaos.calls import CallsResult
from tests.chaos.traffic import TENANT, Acked
from tests.pipeline import PipelineStack

# consumer -> (producing service, subjects): every durable consumer of the pipeline (services/*/consumers.py) but
# ingest-push, which acknowledges this version's lead.accepted without an inbox row (the submission scheduled the
# push itself; it is kept for older versions' events).
CONSUMERS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "assign-leads": ("assign", "ingest", (events.LEAD_ACCEPTED, events.LEAD_DUPLICATE)),
    "telephony-lead-accepted": ("telephony", "ingest", (events.LEAD_ACCEPTED,)),
    "refund-charges": ("refund", "ingest", (events.LEAD_ACCEPTED, events.LEAD_DUPLICATE)),
    "ingest-lead-assigned": ("ingest", "assign", (events.LEAD_ASSIGNED,)),
    "telephony-lead-assigned": ("telephony", "assign", (events.LEAD_ASSIGNED,)),
    "telephony-agents": (
        "telephony",
        "assign",
        (events.AGENT_CREATED, events.AGENT_UPDATED, events.AGENT_DELETED),
    ),
    "ingest-refund-issued": ("ingest", "refund", (events.REFUND_ISSUED,)),
    "assign-refund-issued": ("assign", "refund", (events.REFUND_ISSUED,)),
    "ingest-call-completed": ("ingest", "telephony", (events.CALL_COMPLETED,)),
    "assign-call-completed": ("assign", "telephony", (events.CALL_COMPLETED,)),
    "refund-calls": ("refund", "telephony", (events.CALL_COMPLETED,)),
    "refund-callable-hours": ("refund", "telephony", (events.CALLABLE_HOURS_CHANGED,)),
}
ENDED = 4  # telephony's CallState.ENDED


@dataclass
class Findings:
    """The outcome of one check: the figures and every broken invariant, in words."""

    acknowledged: int = 0
    lost: int = 0
    duplicated: int = 0
    problems: list[str] = field(default_factory=list)
    figures: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        return f"lost {self.lost} / duplicated {self.duplicated} of {self.acknowledged} acknowledged"


def _rows(url: str, sql: str, **params: object) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sa.text(sql), params)]
    finally:
        engine.dispose()


def _some(values: Iterable[object], limit: int = 5) -> str:
    shown = sorted(str(v) for v in values)
    return ", ".join(shown[:limit]) + (" ..." if len(shown) > limit else "")


def check(stack: PipelineStack, acked: dict[str, Acked], calls: CallsResult | None = None) -> Findings:
    """Read every service's database once and compare it with what the clients were told."""
    found = Findings(acknowledged=len(acked))
    outcomes = _check_calls(stack, calls, found) if calls is not None else {}
    _check_ingest(stack, acked, found, outcomes)
    _check_events(stack, found)
    _check_refunds(stack, found, outcomes)
    return found


def _check_calls(stack: PipelineStack, calls: CallsResult, found: Findings) -> dict[str, CallOutcome]:
    """The calls telephony stored against what its clients were told; returns each called lead's stored outcome
    (of calls whose receipt was acknowledged)."""
    stored = _rows(
        stack.database_url("telephony"),
        "SELECT id, lead_id, state, outcome, published_outcome FROM telephony_calls WHERE tenant_id = :t",
        t=TENANT,
    )
    by_id = {str(r[0]): (str(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in stored}
    per_lead = Counter(lead_id for lead_id, _, _, _ in by_id.values())
    lost = [call_id for call_id in calls.started.values() if call_id not in by_id]
    twice = [lead_id for lead_id, n in per_lead.items() if n > 1]
    strangers = set(by_id) - set(calls.started.values())
    for what, ids in (
        ("calls StartCall answered that telephony does not have", lost),
        ("leads called more than once", twice),
        ("calls nobody was told of", strangers),
    ):
        if ids:
            found.problems.append(f"{len(ids)} {what}: {_some(ids)}")
    outcomes: dict[str, CallOutcome] = {}
    unsettled = []
    for call_id, said in calls.reported.items():
        lead_id, state, outcome, published = by_id.get(call_id, ("", 0, 0, 0))
        if (state, outcome, published) != (ENDED, said, said):
            unsettled.append(
                f"{call_id} (state {state}, outcome {outcome}, published {published}, said {said.name})"
            )
        outcomes[lead_id] = said
    if unsettled:
        found.problems.append(f"{len(unsettled)} reported calls not ended as reported: {_some(unsettled, 3)}")
    found.figures.update(calls=len(by_id), reported=len(calls.reported))
    return outcomes


def _check_ingest(
    stack: PipelineStack, acked: dict[str, Acked], found: Findings, outcomes: dict[str, CallOutcome]
) -> None:
    ingest = stack.database_url("ingest")
    submissions = _rows(
        ingest, "SELECT request_id, id, lead_id FROM submissions WHERE tenant_id = :t", t=TENANT
    )
    by_request: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for request_id, submission_id, lead_id in submissions:
        by_request[str(request_id)].append((str(submission_id), str(lead_id)))
    leads = {
        str(r[0]): (str(r[1]), int(r[2]), int(r[3]))
        for r in _rows(
            ingest, "SELECT id, phone, status, submission_count FROM leads WHERE tenant_id = :t", t=TENANT
        )
    }
    lost = [
        a.request_id
        for a in acked.values()
        if (a.submission_id, a.lead_id) not in by_request.get(a.request_id, []) or a.lead_id not in leads
    ]
    stored_twice = [request_id for request_id, rows in by_request.items() if len(rows) > 1]
    per_person = Counter(phone for phone, _, _ in leads.values())
    extra_leads = sum(count - 1 for count in per_person.values())
    found.lost = len(lost)
    found.duplicated = len(stored_twice) + extra_leads
    if lost:
        found.problems.append(f"{len(lost)} acknowledged submissions lost: {_some(lost)}")
    if stored_twice:
        found.problems.append(f"{len(stored_twice)} request ids stored twice: {_some(stored_twice)}")
    if extra_leads:
        twice = [p[-4:] for p, c in per_person.items() if c > 1]
        found.problems.append(f"{extra_leads} extra leads for one person (phones ending {_some(twice)})")
    counts = Counter(lead_id for rows in by_request.values() for _, lead_id in rows)
    wrong_counts = [lead_id for lead_id, (_, _, n) in leads.items() if counts[lead_id] != n]
    if wrong_counts:
        found.problems.append(
            f"{len(wrong_counts)} leads whose submission_count is off: {_some(wrong_counts)}"
        )

    def status_wanted(lead_id: str) -> LeadStatus:
        # A conversation makes the lead CONTACTED; an empty number's refund (refund.issued) makes it INVALID.
        return {CallOutcome.ANSWERED: LeadStatus.CONTACTED, CallOutcome.EMPTY_NUMBER: LeadStatus.INVALID}.get(
            outcomes.get(lead_id, CallOutcome.UNSPECIFIED), LeadStatus.ASSIGNED
        )

    off = [
        f"{lead_id} {status}" for lead_id, (_, status, _) in leads.items() if status != status_wanted(lead_id)
    ]
    if off:
        found.problems.append(f"{len(off)} leads not in the status their calls call for: {_some(off)}")
    dead = {str(r[0]) for r in _rows(ingest, "SELECT phone FROM dead_numbers WHERE tenant_id = :t", t=TENANT)}
    proved = {
        leads[lead_id][0]
        for lead_id, said in outcomes.items()
        if said is CallOutcome.EMPTY_NUMBER and lead_id in leads
    }
    if dead != proved:
        found.problems.append(
            f"dead numbers differ from the empty-number calls: {len(proved - dead)} not recorded, "
            f"{len(dead - proved)} recorded without one"
        )

    rows = _rows(
        stack.database_url("assign"),
        "SELECT lead_id, agent_id FROM assign_assignments WHERE tenant_id = :t",
        t=TENANT,
    )
    assignments = Counter(str(r[0]) for r in rows)
    per_agent = Counter(str(r[1]) for r in rows)
    if per_agent and max(per_agent.values()) - min(per_agent.values()) > 1:
        found.problems.append(f"ROUND_ROBIN uneven across the agents: {sorted(per_agent.values())}")
    unassigned = set(leads) - set(assignments)
    twice = [lead_id for lead_id, n in assignments.items() if n > 1]
    strangers = set(assignments) - set(leads)
    for what, ids in (
        ("leads never assigned", unassigned),
        ("leads assigned more than once", twice),
        ("assignments of leads ingest does not have", strangers),
    ):
        if ids:
            found.problems.append(f"{len(ids)} {what}: {_some(ids)}")
    known = {
        str(r[0])
        for r in _rows(
            stack.database_url("telephony"),
            "SELECT lead_id FROM telephony_leads WHERE tenant_id = :t",
            t=TENANT,
        )
    }
    if set(leads) - known:
        found.problems.append(f"{len(set(leads) - known)} leads telephony never learnt of")
    found.figures.update(
        leads=len(leads), submissions=len(submissions), assignments=sum(assignments.values())
    )


def _check_events(stack: PipelineStack, found: Findings) -> None:
    produced: dict[str, dict[str, set[str]]] = {}
    for service in ("ingest", "assign", "refund", "telephony"):
        url = stack.database_url(service)
        by_subject: dict[str, set[str]] = defaultdict(set)
        for event_id, subject in _rows(url, "SELECT event_id, subject FROM outbox"):
            by_subject[str(subject)].add(str(event_id))
        produced[service] = by_subject
        unsent = _rows(url, "SELECT count(*) FROM outbox WHERE sent_at IS NULL")[0][0]
        if unsent:
            found.problems.append(f"{service}: {unsent} events not yet published")
        dead = _rows(url, "SELECT consumer, count(*) FROM dead_letters GROUP BY consumer")
        if dead:
            found.problems.append(f"{service}: dead letters {dict((str(c), int(n)) for c, n in dead)}")
    inboxes: dict[str, set[str]] = defaultdict(set)
    for service in ("ingest", "assign", "refund", "telephony"):
        for consumer, event_id in _rows(stack.database_url(service), "SELECT consumer, event_id FROM inbox"):
            inboxes[str(consumer)].add(str(event_id))
    for consumer, (_, producer, subjects) in CONSUMERS.items():
        wanted = set().union(*(produced[producer].get(s, set()) for s in subjects))
        missing = wanted - inboxes[consumer]
        if missing:
            found.problems.append(f"{consumer}: {len(missing)} of {len(wanted)} events not consumed")
    found.figures["events"] = sum(len(ids) for by in produced.values() for ids in by.values())


def _check_refunds(stack: PipelineStack, found: Findings, outcomes: dict[str, CallOutcome]) -> None:
    refund = stack.database_url("refund")
    ingest = stack.database_url("ingest")
    charged = {
        str(r[0]): str(r[1])
        for r in _rows(
            ingest,
            "SELECT id, phone FROM submissions WHERE tenant_id = :t AND cost_units IS NOT NULL AND lead_id <> ''",
            t=TENANT,
        )
    }
    cases = Counter(
        str(r[0])
        for r in _rows(refund, "SELECT submission_id FROM refund_cases WHERE tenant_id = :t", t=TENANT)
    )
    if set(charged) - set(cases) or set(cases) - set(charged):
        found.problems.append(
            f"refund cases differ from charges: {len(set(charged) - set(cases))} charges without a case, "
            f"{len(set(cases) - set(charged))} cases without a charge"
        )
    if any(n > 1 for n in cases.values()):
        found.problems.append(f"{sum(n > 1 for n in cases.values())} charges with more than one case")
    refunds = _rows(
        refund,
        "SELECT submission_id, case_id, amount_fen, reason, lead_id FROM refund_refunds WHERE tenant_id = :t",
        t=TENANT,
    )
    per_submission = Counter(str(r[0]) for r in refunds)
    twice = [s for s, n in per_submission.items() if n > 1]
    if twice:
        found.problems.append(f"{len(twice)} charges refunded twice: {_some(twice)}")
    expected = sum(
        n - 1 for n in Counter(charged.values()).values()
    )  # every charge of a person but the first
    duplicate_refunds = sum(1 for r in refunds if r[3] == "DUPLICATE_CHARGE")
    if duplicate_refunds != expected:
        found.problems.append(f"{duplicate_refunds} duplicate charges refunded, {expected} expected")
    empty = Counter(str(r[4]) for r in refunds if r[3] == "EMPTY_NUMBER")
    proved = {lead_id for lead_id, said in outcomes.items() if said is CallOutcome.EMPTY_NUMBER}
    others = Counter(str(r[3]) for r in refunds if r[3] not in ("DUPLICATE_CHARGE", "EMPTY_NUMBER"))
    if set(empty) != proved or any(n > 1 for n in empty.values()) or others:
        found.problems.append(
            f"empty-number refunds differ from the empty-number calls: {len(proved - set(empty))} not paid, "
            f"{len(set(empty) - proved)} paid without one, {sum(n > 1 for n in empty.values())} paid twice; "
            f"refunds of other reasons {dict(others)}"
        )
    sums = {
        str(direction): int(total)
        for direction, total in _rows(
            refund,
            "SELECT direction, sum(amount_fen) FROM refund_ledger_entries WHERE tenant_id = :t GROUP BY direction",
            t=TENANT,
        )
    }
    paid = sum(int(r[2]) for r in refunds)
    if not (sums.get("DEBIT", 0) == sums.get("CREDIT", 0) == paid):
        found.problems.append(f"the ledger does not balance: {sums}, refunds paid {paid} fen")
    found.figures.update(cases=sum(cases.values()), refunds=len(refunds), refunded_fen=paid)
