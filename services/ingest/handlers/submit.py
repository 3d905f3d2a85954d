"""Submitting (``submit``, ``submit_batch``; ImportLeads runs ``submit_batch`` per chunk):

1. Validate the request's structure (``domain.validation``; contact formats by ``domain.normalisation``):
   INVALID_ARGUMENT with field violations, nothing stored.
2. Idempotency: a stored submission with the same (tenant, ``request_id``) or the same (tenant, ``account_id``,
   ``channel``, ``external_id``) answers with its first result and nothing new is created. The same request_id
   with different content answers FAILED_PRECONDITION (REQUEST_ID_REUSED), as the proto documents.
3. Screening (空错停, blocklists, sensitive words, dead numbers): a failed content rule makes the verdict REJECTED;
   the submission is stored for audit with its reasons and ``lead.rejected`` is recorded; dedup is not called.
4. ``dedup.ClaimLead`` (``BatchClaimLeads`` in chunks of 100 for a batch, in order) with keyed hashes only, each
   call under the dedup deadline. If dedup is unavailable the call fails with UNAVAILABLE and nothing at all is
   stored (a batch fails as a whole: the caller retries it, and idempotency makes that safe). The claim's request
   id and candidate lead id derive from ``request_id`` (and the submit time), so a retry sends the same claim and
   dedup answers it from its own idempotency record.
5. One write transaction stores the submission, creates or attaches the lead (``domain.outcome``), records the
   event in the outbox and, for an accepted lead whose account pushes accepted leads (线索推送), schedules that
   push (``schedule_pushes``: ``PushHandlers.schedule_accepted``); after commit the relay is woken.

Group commit (``SubmitConfig.group_window_seconds``, on in the service: ``LEADFLOW_INGEST_GROUP_COMMIT_MS``):
concurrent ``submit`` calls of a tenant are gathered (``services.common.gathering``) and run as one batch, steps 1-5
once for all of them: one BatchClaimLeads call, one write transaction. Each caller gets its own item's outcome, so an
invalid lead fails only its caller; the same request twice in a group is answered as an in-batch repeat (the stored
answer, ``replayed``); dedup unavailable fails every caller of the group, as it would each alone. A group of one is
an ordinary unary submission (ClaimLead).

Writing a batch (step 5): REJECTED items and items that create their own candidate lead are written together, one
statement per table; any other item (a duplicate, which looks at the canonical lead) is written on its own, after
every earlier item, so it sees what it would see one by one.

Concurrent retries of one submission: all may pass step 2 and reach dedup, which answers the same claim the same
way; the submission insert of step 5 is ``INSERT ... ON CONFLICT DO NOTHING`` on both idempotency keys, so exactly
one attempt stores it and every other attempt answers with the stored one. Attempts whose claims differ (no
submit_time in the request, so each attempt used its own receive time; or the same request_id with other
content) get REQUEST_ID_REUSED from dedup (our ``ClaimConflict``): they wait briefly for the stored submission and
answer with it. If none appears (the attempt that owned the claim crashed after dedup answered), the submission is
claimed again under a fresh dedup request id: it is then a DUPLICATE of the crashed attempt's candidate lead, which
ingest does not have, so it creates that lead as NEW (``domain.outcome``); if the owner was only slow, the
idempotency constraint still lets exactly one of the two store the submission.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from services.common.auth import Principal
from services.common.clock import Clock
from services.common.deadline import deadline_var
from services.common.errors import (
    DomainError,
    FailedPrecondition,
    InvalidArgument,
    Unavailable,
    ViolationCollector,
)
from services.common.gathering import Gatherer
from services.common.ids import new_id
from services.common.uow import Pause, Transactions
from services.ingest.domain import validation
from services.ingest.domain.events import LeadAccepted, LeadDuplicate, LeadRejected
from services.ingest.domain.fingerprints import Fingerprinter
from services.ingest.domain.idempotency import (
    candidate_lead_id,
    claim_request_id,
    request_digest,
    rescue_claim_request_id,
)
from services.ingest.domain.model import (
    BusinessSource,
    Channel,
    Consent,
    Contact,
    DedupAction,
    Lead,
    LeadStatus,
    Submission,
    SubmitCommand,
    SubmitResult,
    TrafficSource,
    Verdict,
)
from services.ingest.domain.outcome import Announce, Outcome, decide
from services.ingest.domain.ports import ClaimAnswer, ClaimConflict, ClaimRequest, DedupPort, IngestUnitOfWork
from services.ingest.domain.screening import Screened
from services.ingest.handlers.rules import ScreeningCache


class RequestIdReused(FailedPrecondition):
    reason = "REQUEST_ID_REUSED"

    def __init__(self) -> None:
        super().__init__(
            "request_id was already used for a submission with different content; use a new request_id for a new "
            "submission",
            metadata={"field": "request_id"},
        )


# Schedules the pushes of the leads a write transaction accepted, on that transaction's unit of work.
SchedulePushes = Callable[[IngestUnitOfWork, Sequence[LeadAccepted]], object]


@dataclass(frozen=True)
class SubmitConfig:
    settle_seconds: float = 1.0  # how long a losing concurrent attempt waits for the winner's commit
    settle_interval: float = 0.02
    claim_chunk: int = 100  # BatchClaimLeads items per dedup call (each call has the dedup deadline)
    # Group commit of SubmitLead (LEADFLOW_INGEST_GROUP_COMMIT_MS / _MAX): concurrent calls of a tenant gathered
    # for up to this long into one BatchClaimLeads call and one write transaction. 0: every call on its own.
    group_window_seconds: float = 0.0
    group_max: int = 64
    # Groups of a tenant stored at once; callers arriving meanwhile join the next group. One: a group's cost is
    # mostly per group (a read and a write transaction, a BatchClaimLeads call, the relay's publish, the push
    # consumer's batch), and while one runs the next gathers every caller, so groups grow twice as large as with
    # two running. Measured with `make bench`'s shapes, 16 callers, ingest + dedup alone: 4.0 -> 3.0 CPU ms/lead
    # and 260 -> 363 leads/s on SQLite (whose writes are serialised anyway), 6.4 -> 5.2 ms/lead on PostgreSQL at
    # the same throughput.
    group_running: int = 1


@dataclass
class _Item:
    """One submission travelling through the pipeline."""

    index: int
    command: SubmitCommand
    digest: bytes = b""
    submit_time: datetime | None = None
    contact: Contact = field(default_factory=Contact)
    rejections: tuple = ()
    attributes: dict[str, str] = field(default_factory=dict)
    outcome: SubmitResult | DomainError | None = None
    same_as: int | None = None  # an earlier item of the same batch with the same idempotency key
    claim: ClaimRequest | None = None
    answer: ClaimAnswer | None = None
    conflict: bool = False  # dedup refused the claim (ClaimConflict) or our insert lost: settle
    rescued: bool = False

    @property
    def done(self) -> bool:
        return self.outcome is not None or self.same_as is not None


@dataclass(frozen=True)
class _Call:
    """A SubmitLead waiting for its group (``services.common.gathering``)."""

    principal: Principal
    command: SubmitCommand
    deadline: float | None  # the caller's (time.monotonic() instant), see services.common.deadline


# Stands in for the command of an item that arrived as an error.
_UNREADABLE = SubmitCommand(account_id="", channel=0, traffic_source=0, business_source=0, request_id="")


class SubmitHandlers:
    def __init__(
        self,
        transactions: Transactions[IngestUnitOfWork],
        dedup: DedupPort,
        fingerprinter: Fingerprinter,
        clock: Clock,
        screening: ScreeningCache,
        config: SubmitConfig | None = None,
        pause: Pause = asyncio.sleep,
        observe_group: Callable[[int], None] = lambda size: None,
        schedule_pushes: SchedulePushes = lambda uow, accepted: None,
    ) -> None:
        """``observe_group`` is told the size of each gathered group of SubmitLeads (group commit on);
        ``schedule_pushes`` is given the leads each write transaction accepted, in that transaction (step 5)."""
        self._tx = transactions
        self._dedup = dedup
        self._fp = fingerprinter
        self._clock = clock
        self._screening = screening
        self._config = config or SubmitConfig()
        self._pause = pause
        self._observe_group = observe_group
        self._schedule_pushes = schedule_pushes
        self._groups: Gatherer[str, _Call, SubmitResult] | None = None
        if self._config.group_window_seconds > 0 and self._config.group_max > 1:
            self._groups = Gatherer(
                self._submit_group,
                window=self._config.group_window_seconds,
                max_size=min(self._config.group_max, self._config.claim_chunk),
                max_running=self._config.group_running,
            )

    async def submit(self, principal: Principal, command: SubmitCommand) -> SubmitResult:
        """One submission. With group commit on, concurrent calls of the tenant are stored together (one dedup
        call, one write transaction); each is answered, and fails, on its own."""
        if self._groups is not None:
            return await self._groups.call(principal.tenant_id, _Call(principal, command, deadline_var.get()))
        outcome = (await self._submit_items(principal, [command], batch=False))[0]
        if isinstance(outcome, DomainError):
            raise outcome
        return outcome

    async def _submit_group(self, tenant: str, calls: Sequence[_Call]) -> list[SubmitResult | DomainError]:
        """The gathered SubmitLeads of one tenant. A group of one is a plain unary submission (ClaimLead); a larger
        one goes through the batch pipeline (BatchClaimLeads, one write transaction), whose items succeed or fail
        on their own, exactly as the unary calls would, under the latest of the callers' deadlines."""
        commands = [call.command for call in calls]
        self._observe_group(len(calls))
        if len(calls) == 1:
            return await self._submit_items(calls[0].principal, commands, batch=False)
        deadlines = [call.deadline for call in calls]
        token = deadline_var.set(None if None in deadlines else max(d for d in deadlines if d is not None))
        try:
            return await self._submit_items(calls[0].principal, commands, batch=True)
        finally:
            deadline_var.reset(token)

    async def submit_batch(
        self,
        principal: Principal,
        commands: Sequence[SubmitCommand | DomainError],
        *,
        check_size: bool = True,
    ) -> list[SubmitResult | DomainError]:
        """Up to 500 submissions in order, each succeeding or failing on its own; dedup down fails the call.

        An item may already be an error (a request the converters could not read); it is answered with it."""
        if check_size:
            validation.check_batch_size(len(commands))
        if not commands:
            return []
        return await self._submit_items(principal, commands, batch=True)

    async def _submit_items(
        self, principal: Principal, commands: Sequence[SubmitCommand | DomainError], *, batch: bool
    ) -> list[SubmitResult | DomainError]:
        tenant = principal.tenant_id
        items: list[_Item] = []
        for index, command in enumerate(commands):
            if isinstance(command, DomainError):
                items.append(_Item(index, _UNREADABLE, outcome=command))
            else:
                items.append(_Item(index, command))
        now = self._clock.now()
        readable = [item for item in items if item.outcome is None]
        await self._tx.read(lambda uow: self._prepare(uow, tenant, readable, now))
        pending = [item for item in items if not item.done and not item.rejections]
        await self._claim(tenant, pending, batch=batch)
        writable = [item for item in items if not item.done and not item.conflict]
        await self._await_canonical(tenant, writable)
        if writable:
            await self._commit(tenant, writable)
        await self._settle(tenant, [item for item in items if item.conflict and item.outcome is None], batch)
        results: list[SubmitResult | DomainError] = []
        for item in items:
            outcome = item.outcome
            if item.same_as is not None:
                outcome = items[item.same_as].outcome
                first = items[item.same_as]
                if (
                    isinstance(outcome, SubmitResult)
                    and first.command.request_id == item.command.request_id
                    and first.digest != item.digest
                ):
                    outcome = RequestIdReused()
                elif isinstance(outcome, SubmitResult):
                    outcome = replace(outcome, replayed=True)
            assert outcome is not None
            results.append(outcome)
        return results

    # ------------------------------------------------------------------ 1-3: validate, idempotency, screen

    def _prepare(self, uow: IngestUnitOfWork, tenant: str, items: list[_Item], now: datetime) -> None:
        tenant_key = self._fp.tenant_key(tenant)
        context = self._screening.context(uow, tenant)

        # Dead numbers in one lookup for all the items: screen once noting the numbers asked about, look them up
        # together, and screen again only the (rare) items whose number turned out dead.
        first: list[tuple[_Item, Screened, list[str]]] = []
        for item in items:
            asked: list[str] = []
            first.append((item, context.screen(item.command, _noting(asked)), asked))
        numbers = {number for _, _, asked in first for number in asked}
        dead = uow.rules.dead_phones(tenant, numbers) if numbers else set()
        live: list[_Item] = []
        for item, screened, asked in first:
            if dead and not dead.isdisjoint(asked):
                screened = context.screen(item.command, dead.__contains__)
            errors = ViolationCollector()
            validation.validate_submission(item.command, now, errors)
            errors.violations.extend(screened.violations)
            if errors.violations:
                item.outcome = InvalidArgument(errors.violations)
                continue
            item.digest = request_digest(tenant_key, item.command)
            item.submit_time = item.command.submit_time or now
            item.contact = screened.contact
            item.rejections = tuple(screened.rejections)
            item.attributes = screened.attributes
            live.append(item)
        self._find_stored(uow, tenant, live)

    def _find_stored(self, uow: IngestUnitOfWork, tenant: str, items: list[_Item]) -> None:
        """Answer items whose idempotency keys are stored already, or repeat an earlier item of the same batch."""
        by_request = uow.submissions.by_request_ids(tenant, [i.command.request_id for i in items])
        external = [_external_key(i.command) for i in items if i.command.external_id]
        by_external = uow.submissions.by_external_keys(tenant, external) if external else {}
        leads = uow.leads.get_many(
            tenant, {s.lead_id for s in [*by_request.values(), *by_external.values()] if s.lead_id}
        )
        first_of: dict[Any, int] = {}
        for item in items:
            stored = by_request.get(item.command.request_id)
            if stored is not None:
                item.outcome = (
                    RequestIdReused() if stored.request_digest != item.digest else _replay(stored, leads)
                )
                continue
            key = _external_key(item.command) if item.command.external_id else None
            if key is not None and key in by_external:
                item.outcome = _replay(by_external[key], leads)
                continue
            for idem in (("r", item.command.request_id), ("e", key)):
                if idem[1] is not None and idem in first_of:
                    item.same_as = first_of[idem]
                    break
            else:
                first_of[("r", item.command.request_id)] = item.index
                if key is not None:
                    first_of[("e", key)] = item.index

    # ------------------------------------------------------------------ 4: dedup

    def _claim_request(self, tenant: str, item: _Item, *, rescue: bool = False) -> ClaimRequest:
        command = item.command
        collect = command.collect_account_id or ""
        assert item.submit_time is not None
        request_id = (
            rescue_claim_request_id(command.request_id, new_id())
            if rescue
            else claim_request_id(command.request_id)
        )
        candidate = (
            new_id()
            if rescue
            else candidate_lead_id(self._fp.tenant_key(tenant), command.request_id, item.submit_time)
        )
        return ClaimRequest(
            account_id=command.account_id,
            collect_account_id=collect if collect != command.account_id else "",
            candidate_lead_id=candidate,
            # Alternate phones are matched too: the contact has them only when the tenant keeps them.
            fingerprints=self._fp.of_contact(tenant, item.contact, alternate_phones=True),
            submit_time=item.submit_time,
            request_id=request_id,
        )

    async def _claim(self, tenant: str, items: list[_Item], *, batch: bool, rescue: bool = False) -> None:
        if not items:
            return
        for item in items:
            item.claim = self._claim_request(tenant, item, rescue=rescue)
            item.conflict = False
        if not batch:
            item = items[0]
            assert item.claim is not None
            try:
                item.answer = await self._dedup.claim(tenant, item.claim)
            except ClaimConflict:
                item.conflict = True
            return
        answers: list[ClaimAnswer | DomainError] = []
        for start in range(0, len(items), self._config.claim_chunk):
            chunk = items[start : start + self._config.claim_chunk]
            answers.extend(
                await self._dedup.batch_claim(tenant, [item.claim for item in chunk if item.claim])
            )
        for item, answer in zip(items, answers, strict=True):
            if isinstance(answer, ClaimConflict):
                item.conflict = True
            elif isinstance(answer, DomainError):
                item.outcome = answer  # nothing about the item is stored: the caller may retry it
            else:
                item.answer = answer

    async def _await_canonical(self, tenant: str, items: list[_Item]) -> None:
        """Duplicates of a lead another submission claimed a moment ago and has not committed yet: wait (briefly)
        for that commit, so the duplicate attaches to the lead its first submission creates. A lead that does not
        appear in time was lost (its claimer crashed after dedup answered) and is created by the duplicate."""
        in_batch = {item.claim.candidate_lead_id for item in items if item.claim is not None}
        wanted = {
            item.answer.canonical_lead_id
            for item in items
            if item.answer is not None
            and item.answer.verdict is Verdict.DUPLICATE
            and item.answer.action is not DedupAction.FLAG
            and item.answer.canonical_lead_id not in in_batch
        }
        deadline = time.monotonic() + self._config.settle_seconds
        while wanted:
            wanted -= await self._tx.read(self._stored_leads(tenant, frozenset(wanted)))
            if not wanted or time.monotonic() > deadline:
                return
            await self._pause(self._config.settle_interval)

    async def _settle(self, tenant: str, items: list[_Item], batch: bool) -> None:
        """Items that lost a race to a concurrent attempt of the same submission: answer with the stored winner;
        claim again under a fresh request id when no winner appears (it crashed after dedup answered)."""
        if not items:
            return
        deadline = time.monotonic() + self._config.settle_seconds
        waiting = items
        while waiting:
            await self._tx.read(self._answers_from_store(tenant, waiting))
            waiting = [item for item in waiting if item.outcome is None]
            if not waiting or time.monotonic() > deadline:
                break
            await self._pause(self._config.settle_interval)
        orphans = [item for item in waiting if not item.rescued]
        for item in waiting:
            if item.rescued:
                item.outcome = Unavailable(
                    "a concurrent attempt of this submission is still in progress; retry it",
                    reason="SUBMISSION_IN_PROGRESS",
                )
        if not orphans:
            return
        for item in orphans:
            item.rescued = True
        await self._claim(tenant, orphans, batch=batch, rescue=True)
        writable = [item for item in orphans if item.outcome is None and not item.conflict]
        if writable:
            await self._commit(tenant, writable)
        await self._settle(
            tenant, [item for item in orphans if item.conflict and item.outcome is None], batch
        )

    @staticmethod
    def _stored_leads(tenant: str, lead_ids: frozenset[str]) -> Callable[[IngestUnitOfWork], set[str]]:
        return lambda uow: set(uow.leads.get_many(tenant, lead_ids))

    def _answers_from_store(self, tenant: str, items: list[_Item]) -> Callable[[IngestUnitOfWork], None]:
        return lambda uow: self._answer_from_store(uow, tenant, items)

    def _answer_from_store(self, uow: IngestUnitOfWork, tenant: str, items: list[_Item]) -> None:
        self._find_stored(uow, tenant, items)
        for item in items:
            item.same_as = None  # only stored answers count here

    # ------------------------------------------------------------------ 5: one write transaction

    async def _commit(self, tenant: str, items: list[_Item]) -> None:
        """One write transaction for all the items (run again as a whole if it loses a race)."""
        outcomes = await self._tx.write(lambda uow: self._write_items(uow, tenant, items))
        for item, outcome in zip(items, outcomes, strict=True):
            if outcome is None:
                item.conflict = True  # a concurrent attempt stored it first: answer with that
            else:
                item.outcome = outcome

    def _write_items(
        self, uow: IngestUnitOfWork, tenant: str, items: list[_Item]
    ) -> list[SubmitResult | None]:
        """``_write_item`` for each item, in order, with the same effects, but with one statement per table for
        runs of the common items: a REJECTED submission, or one that creates its own candidate lead (NEW,
        RETURNING, FLAG), which needs no look at the database to decide. A run is written (submissions, then
        leads, then lead accounts) before any other item, so that item sees the database as it would one by one;
        events are recorded in item order. Then the accepted leads' pushes are scheduled."""
        results: list[SubmitResult | None] = [None] * len(items)
        accepted: list[LeadAccepted] = []
        run: list[tuple[int, _Item, Submission, Outcome | None, datetime]] = []

        def write_run() -> None:
            if not run:
                return
            stored = uow.submissions.insert_many([submission for _, _, submission, _, _ in run])
            new_leads = {
                index: self._new_lead(tenant, item, outcome, now)
                for index, item, submission, outcome, now in run
                if outcome is not None and submission.id in stored
            }
            created = uow.leads.insert_many(list(new_leads.values()))
            accounts: list[tuple[str, Sequence[str], datetime]] = []
            for index, item, submission, outcome, now in run:
                if submission.id not in stored:
                    continue  # a concurrent attempt stored it first: None, as _write_item answers
                if outcome is None:
                    uow.events.add(LeadRejected(submission, now))
                    results[index] = SubmitResult(
                        Verdict.REJECTED, submission, None, rejections=submission.rejections
                    )
                    continue
                lead = new_leads[index]
                if lead.id in created:
                    accounts.append((lead.id, _accounts(item.command), now))
                    results[index] = self._finish(uow, tenant, item, submission, outcome, lead, now, accepted)
                else:  # a concurrent recovery created the lead a moment ago: attach, as _write_item does
                    results[index] = self._finish(uow, tenant, item, submission, outcome, None, now, accepted)
            uow.leads.add_accounts_many(tenant, accounts)
            run.clear()

        for index, item in enumerate(items):
            now = self._clock.now()
            answer, claim = item.answer, item.claim
            if item.rejections:
                run.append(
                    (index, item, self._submission(tenant, item, "", Verdict.REJECTED, now), None, now)
                )
                continue
            assert answer is not None and claim is not None
            if answer.verdict is not Verdict.DUPLICATE or (
                answer.action is DedupAction.FLAG and answer.canonical_lead_id != claim.candidate_lead_id
            ):
                # These create the candidate lead whether or not the canonical one exists (domain.outcome).
                outcome = decide(
                    answer.verdict,
                    answer.action,
                    answer.canonical_lead_id,
                    claim.candidate_lead_id,
                    answer.matches,
                    canonical_exists=False,
                )
                run.append((index, item, self._outcome_submission(tenant, item, outcome, now), outcome, now))
                continue
            write_run()
            results[index] = self._write_item(uow, tenant, item, accepted)
        write_run()
        if accepted:
            self._schedule_pushes(uow, accepted)
        return results

    def _write_item(
        self, uow: IngestUnitOfWork, tenant: str, item: _Item, accepted: list[LeadAccepted]
    ) -> SubmitResult | None:
        """Store one item's submission (and lead), record its event; None when a concurrent attempt stored the
        submission first. Changes nothing but the unit of work, so the transaction may run again."""
        now = self._clock.now()
        if item.rejections:
            submission = self._submission(tenant, item, "", Verdict.REJECTED, now)
            if not uow.submissions.insert(submission):
                return None
            uow.events.add(LeadRejected(submission, now))
            return SubmitResult(Verdict.REJECTED, submission, None, rejections=submission.rejections)

        answer, claim = item.answer, item.claim
        assert answer is not None and claim is not None
        canonical_exists = (
            answer.canonical_lead_id != claim.candidate_lead_id
            and uow.leads.get(tenant, answer.canonical_lead_id) is not None
        )
        outcome = decide(
            answer.verdict,
            answer.action,
            answer.canonical_lead_id,
            claim.candidate_lead_id,
            answer.matches,
            canonical_exists,
        )
        submission = self._outcome_submission(tenant, item, outcome, now)
        if not uow.submissions.insert(submission):
            return None
        new_lead = self._new_lead(tenant, item, outcome, now) if outcome.create else None
        created = new_lead is not None and uow.leads.insert(new_lead)
        if created:
            uow.leads.add_accounts(tenant, outcome.lead_id, _accounts(item.command), now)
        return self._finish(
            uow, tenant, item, submission, outcome, new_lead if created else None, now, accepted
        )

    def _finish(
        self,
        uow: IngestUnitOfWork,
        tenant: str,
        item: _Item,
        submission: Submission,
        outcome: Outcome,
        created: Lead | None,
        now: datetime,
        accepted: list[LeadAccepted],
    ) -> SubmitResult:
        """After the submission (and ``created``, the lead when this item inserted it, its accounts added by the
        caller): attach to an existing lead otherwise, record the event (a ``LeadAccepted`` also in ``accepted``),
        answer."""
        answer = item.answer
        assert answer is not None
        announce = outcome.announce
        accounts = _accounts(item.command)
        if created is None:
            # An existing lead (or one a concurrent recovery created a moment ago): attach the submission.
            uow.leads.attach(tenant, outcome.lead_id, submission.submit_time, now)
            if outcome.create:
                announce = Announce.DUPLICATE
            uow.leads.add_accounts(tenant, outcome.lead_id, accounts, now)
            lead = uow.leads.get(tenant, outcome.lead_id)
        else:
            lead = created  # built with its accounts (_new_lead), which the caller stores
        assert lead is not None
        if lead.erase_time is not None:
            # Dedup matched it to the lead before forgetting the erased lead's keys: the erasure covers it too.
            uow.submissions.erase(tenant, lead.id, ())
        if announce is Announce.ACCEPTED:
            event = LeadAccepted(lead, submission, now, new_id())
            uow.events.add(event)
            accepted.append(event)
        else:
            uow.events.add(LeadDuplicate(outcome.duplicate_of_lead_id or outcome.lead_id, submission, now))
        return SubmitResult(
            verdict=outcome.verdict,
            submission=submission,
            lead=lead,
            matches=answer.matches,
            duplicate_of_lead_id=outcome.duplicate_of_lead_id,
            returning_of_lead_id=outcome.returning_of_lead_id,
        )

    def _outcome_submission(self, tenant: str, item: _Item, outcome: Outcome, now: datetime) -> Submission:
        return self._submission(
            tenant,
            item,
            outcome.lead_id,
            outcome.verdict,
            now,
            duplicate_of=outcome.duplicate_of_lead_id,
            returning_of=outcome.returning_of_lead_id,
        )

    def _submission(
        self,
        tenant: str,
        item: _Item,
        lead_id: str,
        verdict: Verdict,
        now: datetime,
        *,
        duplicate_of: str = "",
        returning_of: str = "",
    ) -> Submission:
        command = item.command
        assert item.submit_time is not None
        return Submission(
            id=new_id(),
            tenant_id=tenant,
            lead_id=lead_id,
            account_id=command.account_id,
            collect_account_id=command.collect_account_id,
            channel=Channel(command.channel),
            traffic_source=TrafficSource(command.traffic_source),
            business_source=BusinessSource(command.business_source),
            external_id=command.external_id,
            request_id=command.request_id,
            request_digest=item.digest,
            contact=item.contact,
            campaign_id=command.campaign_id,
            adgroup_id=command.adgroup_id,
            creative_id=command.creative_id,
            cost=command.cost,
            attributes=item.attributes,
            consent=command.consent or Consent(),
            verdict=verdict,
            rejections=tuple(item.rejections),
            matches=item.answer.matches if item.answer is not None else (),
            duplicate_of_lead_id=duplicate_of,
            returning_of_lead_id=returning_of,
            submit_time=item.submit_time,
            create_time=now,
        )

    def _new_lead(self, tenant: str, item: _Item, outcome: Outcome, now: datetime) -> Lead:
        command = item.command
        assert item.submit_time is not None
        return Lead(
            id=outcome.lead_id,
            tenant_id=tenant,
            account_ids=_accounts(command),  # stored beside the row (leads.add_accounts*), not in it
            status=LeadStatus.NEW,
            verdict=outcome.verdict,
            contact=item.contact,
            invalid_reason="",
            channel=Channel(command.channel),
            traffic_source=TrafficSource(command.traffic_source),
            business_source=BusinessSource(command.business_source),
            first_submit_time=item.submit_time,
            last_submit_time=item.submit_time,
            submission_count=1,
            create_time=now,
            update_time=now,
            returning_of_lead_id=outcome.returning_of_lead_id,
            duplicate_of_lead_id=outcome.duplicate_of_lead_id,
        )


def _accounts(command: SubmitCommand) -> tuple[str, ...]:
    """The accounts a submission makes its lead visible from: the ad account, then the collecting account."""
    accounts = [command.account_id]
    if command.collect_account_id and command.collect_account_id != command.account_id:
        accounts.append(command.collect_account_id)
    return tuple(dict.fromkeys(accounts))


def _noting(asked: list[str]) -> Callable[[str], bool]:
    """An is-dead check that answers "no" and notes the number (the first screening pass of ``_prepare``)."""

    def is_dead(e164: str) -> bool:
        asked.append(e164)
        return False

    return is_dead


def _external_key(command: SubmitCommand) -> tuple[str, int, str]:
    return (command.account_id, command.channel, command.external_id)


def _replay(stored: Submission, leads: dict[str, Lead]) -> SubmitResult:
    lead = leads.get(stored.lead_id) if stored.lead_id else None
    return SubmitResult(
        verdict=stored.verdict,
        submission=stored,
        lead=lead,
        matches=stored.matches,
        rejections=stored.rejections,
        duplicate_of_lead_id=stored.duplicate_of_lead_id,
        returning_of_lead_id=stored.returning_of_lead_id,
        replayed=True,
    )
