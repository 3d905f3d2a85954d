"""Ingest use cases: take a command, use the ports, return a domain result, record events in the same transaction.

Submitting (``submit``, ``submit_batch``; ImportLeads runs ``submit_batch`` per chunk):

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
5. One write transaction stores the submission, creates or attaches the lead (``domain.outcome``), and records the
   event in the outbox; after commit the relay is woken.

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
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from services.common.auth import Principal
from services.common.clock import Clock
from services.common.errors import (
    DomainError,
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
    Unavailable,
    ViolationCollector,
)
from services.common.ids import new_id
from services.common.paging import PageTokens, filter_binding, resolve_page_size
from services.ingest.domain import validation
from services.ingest.domain.fingerprints import Fingerprinter
from services.ingest.domain.idempotency import (
    candidate_lead_id,
    claim_request_id,
    request_digest,
    rescue_claim_request_id,
)
from services.ingest.domain.model import (
    BlocklistEntry,
    BlocklistKind,
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
    TenantSettings,
    TrafficSource,
    Verdict,
)
from services.ingest.domain.normalisation import is_known_region, normalise_phone
from services.ingest.domain.outcome import Announce, decide
from services.ingest.domain.ports import (
    ClaimAnswer,
    ClaimConflict,
    ClaimRequest,
    DedupPort,
    IngestStore,
    IngestTx,
    LeadFilter,
    SubmissionFilter,
    TransientConflict,
)
from services.ingest.domain.screening import ScreeningContext
from services.ingest.domain.status import next_status
from services.ingest.domain.timeutil import to_us

log = logging.getLogger("leadflow.ingest")

LIST_LEADS_DEFAULT = 50
LIST_BLOCKLIST_DEFAULT = 100
MAX_BLOCKLIST_ENTRIES = 10_000
MAX_BLOCKLIST_VALUE = 64
MAX_BLOCKLIST_NOTE = 256
SETTINGS_FIELDS = frozenset({"default_region", "landline_allowed"})


class RequestIdReused(FailedPrecondition):
    reason = "REQUEST_ID_REUSED"

    def __init__(self) -> None:
        super().__init__(
            "request_id was already used for a submission with different content; use a new request_id for a new "
            "submission",
            metadata={"field": "request_id"},
        )


@dataclass(frozen=True)
class HandlerConfig:
    write_attempts: int = 5  # write transactions retried after a deadlock or serialization failure
    settle_seconds: float = 1.0  # how long a losing concurrent attempt waits for the winner's commit
    settle_interval: float = 0.02
    claim_chunk: int = 100  # BatchClaimLeads items per dedup call (each call has the dedup deadline)


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


# Stands in for the command of an item that arrived as an error.
_UNREADABLE = SubmitCommand(account_id="", channel=0, traffic_source=0, business_source=0, request_id="")


class IngestHandlers:
    def __init__(
        self,
        store: IngestStore,
        dedup: DedupPort,
        fingerprinter: Fingerprinter,
        clock: Clock,
        page_tokens: PageTokens,
        wake: Callable[[], None] = lambda: None,
        config: HandlerConfig | None = None,
    ) -> None:
        self._store = store
        self._dedup = dedup
        self._fp = fingerprinter
        self._clock = clock
        self._tokens = page_tokens
        self._wake = wake
        self._config = config or HandlerConfig()
        self._screening = ScreeningCache()

    # ================================================================== submitting

    async def submit(self, principal: Principal, command: SubmitCommand) -> SubmitResult:
        outcome = (await self._submit_items(principal, [command], batch=False))[0]
        if isinstance(outcome, DomainError):
            raise outcome
        return outcome

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
        await asyncio.to_thread(self._prepare, tenant, [item for item in items if item.outcome is None], now)
        pending = [item for item in items if not item.done and not item.rejections]
        await self._claim(tenant, pending, batch=batch)
        writable = [item for item in items if not item.done and not item.conflict]
        await self._await_canonical(tenant, writable)
        if writable:
            await asyncio.to_thread(self._commit, tenant, writable)
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
            assert outcome is not None
            results.append(outcome)
        return results

    # ------------------------------------------------------------------ 1-3: validate, idempotency, screen

    def _prepare(self, tenant: str, items: list[_Item], now: datetime) -> None:
        tenant_key = self._fp.tenant_key(tenant)
        with self._store.read() as tx:
            context = self._screening.context(tx, tenant)

            def is_dead(e164: str) -> bool:
                return bool(tx.dead_phones(tenant, [e164]))

            live: list[_Item] = []
            for item in items:
                errors = ViolationCollector()
                validation.validate_submission(item.command, now, errors)
                screened = context.screen(item.command, is_dead)
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
            self._find_stored(tx, tenant, live)

    def _find_stored(self, tx: IngestTx, tenant: str, items: list[_Item]) -> None:
        """Answer items whose idempotency keys are stored already, or repeat an earlier item of the same batch."""
        by_request = tx.submissions_by_request_id(tenant, [i.command.request_id for i in items])
        external = [_external_key(i.command) for i in items if i.command.external_id]
        by_external = tx.submissions_by_external_key(tenant, external) if external else {}
        leads = tx.get_leads(
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
            fingerprints=self._fp.of_contact(tenant, item.contact),
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
            wanted -= await asyncio.to_thread(self._existing_leads, tenant, wanted)
            if not wanted or time.monotonic() > deadline:
                return
            await asyncio.sleep(self._config.settle_interval)

    def _existing_leads(self, tenant: str, lead_ids: set[str]) -> set[str]:
        with self._store.read() as tx:
            return set(tx.get_leads(tenant, lead_ids))

    async def _settle(self, tenant: str, items: list[_Item], batch: bool) -> None:
        """Items that lost a race to a concurrent attempt of the same submission: answer with the stored winner;
        claim again under a fresh request id when no winner appears (it crashed after dedup answered)."""
        if not items:
            return
        deadline = time.monotonic() + self._config.settle_seconds
        waiting = items
        while waiting:
            await asyncio.to_thread(self._answer_from_store, tenant, waiting)
            waiting = [item for item in waiting if item.outcome is None]
            if not waiting or time.monotonic() > deadline:
                break
            await asyncio.sleep(self._config.settle_interval)
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
            await asyncio.to_thread(self._commit, tenant, writable)
        await self._settle(
            tenant, [item for item in orphans if item.conflict and item.outcome is None], batch
        )

    def _answer_from_store(self, tenant: str, items: list[_Item]) -> None:
        with self._store.read() as tx:
            self._find_stored(tx, tenant, items)
        for item in items:
            item.same_as = None  # only stored answers count here

    # ------------------------------------------------------------------ 5: one write transaction

    def _commit(self, tenant: str, items: list[_Item]) -> None:
        for attempt in range(self._config.write_attempts):
            try:
                with self._store.write() as tx:
                    outcomes = [self._write_item(tx, tenant, item) for item in items]
                break
            except TransientConflict:
                if attempt == self._config.write_attempts - 1:
                    raise
                time.sleep(0.005 * (2**attempt))
        for item, outcome in zip(items, outcomes, strict=True):
            if outcome is None:
                item.conflict = True  # a concurrent attempt stored it first: answer with that
            else:
                item.outcome = outcome
        self._wake()

    def _write_item(self, tx: IngestTx, tenant: str, item: _Item) -> SubmitResult | None:
        now = self._clock.now()
        command = item.command
        if item.rejections:
            submission = self._submission(tenant, item, "", Verdict.REJECTED, now)
            if not tx.insert_submission(submission):
                return None
            tx.record_rejected(submission, now)
            return SubmitResult(Verdict.REJECTED, submission, None, rejections=submission.rejections)

        answer, claim = item.answer, item.claim
        assert answer is not None and claim is not None
        canonical_exists = (
            answer.canonical_lead_id != claim.candidate_lead_id
            and tx.get_lead(tenant, answer.canonical_lead_id) is not None
        )
        outcome = decide(
            answer.verdict,
            answer.action,
            answer.canonical_lead_id,
            claim.candidate_lead_id,
            answer.matches,
            canonical_exists,
        )
        submission = self._submission(
            tenant,
            item,
            outcome.lead_id,
            outcome.verdict,
            now,
            duplicate_of=outcome.duplicate_of_lead_id,
            returning_of=outcome.returning_of_lead_id,
        )
        if not tx.insert_submission(submission):
            return None
        accounts = [command.account_id]
        if command.collect_account_id and command.collect_account_id != command.account_id:
            accounts.append(command.collect_account_id)
        announce = outcome.announce
        new_lead = self._new_lead(tenant, item, outcome, now) if outcome.create else None
        created = new_lead is not None and tx.insert_lead(new_lead)
        if not created:
            # An existing lead (or one a concurrent recovery created a moment ago): attach the submission.
            tx.attach(tenant, outcome.lead_id, submission.submit_time, now)
            if outcome.create:
                announce = Announce.DUPLICATE
        tx.add_accounts(tenant, outcome.lead_id, accounts, now)
        if created and new_lead is not None:
            lead: Lead | None = replace(new_lead, account_ids=tuple(dict.fromkeys(accounts)))
        else:
            lead = tx.get_lead(tenant, outcome.lead_id)
        assert lead is not None
        if announce is Announce.ACCEPTED:
            tx.record_accepted(lead, submission, now)
        else:
            tx.record_duplicate(outcome.duplicate_of_lead_id or outcome.lead_id, submission, now)
        return SubmitResult(
            verdict=outcome.verdict,
            submission=submission,
            lead=lead,
            matches=answer.matches,
            duplicate_of_lead_id=outcome.duplicate_of_lead_id,
            returning_of_lead_id=outcome.returning_of_lead_id,
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

    def _new_lead(self, tenant: str, item: _Item, outcome: Any, now: datetime) -> Lead:
        command = item.command
        assert item.submit_time is not None
        return Lead(
            id=outcome.lead_id,
            tenant_id=tenant,
            account_ids=(),
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

    # ================================================================== reading

    def get_lead(self, principal: Principal, lead_id: str) -> Lead:
        validation.check_lead_id(lead_id)
        with self._store.read() as tx:
            lead = tx.get_lead(principal.tenant_id, lead_id)
        if lead is None:
            raise _lead_not_found(lead_id)
        return lead

    def list_leads(
        self, principal: Principal, where: LeadFilter, page_size: int, page_token: str
    ) -> tuple[list[Lead], str, int]:
        """Leads matching the filters, by first_submit_time descending then id descending; with the total count."""
        errors = ViolationCollector()
        if where.account_id:
            validation.check_identifier(errors, "account_id", where.account_id, validation.MAX_ACCOUNT_ID)
        for path, value, enum in (
            ("channel", where.channel, Channel),
            ("traffic_source", where.traffic_source, TrafficSource),
            ("business_source", where.business_source, BusinessSource),
            ("status", where.status, LeadStatus),
        ):
            if value:
                try:
                    enum(value)
                except ValueError:
                    errors.add(path, f"must be a known value, got {value}")
        if where.verdict:
            if where.verdict == Verdict.REJECTED:
                errors.add("verdict", "rejected submissions create no lead: use NEW, RETURNING or DUPLICATE")
            elif where.verdict not in (Verdict.NEW, Verdict.RETURNING, Verdict.DUPLICATE):
                errors.add("verdict", f"must be a known value, got {where.verdict}")
        if where.submit_start and where.submit_end and where.submit_end <= where.submit_start:
            errors.add("submit_end_time", "must be after submit_start_time")
        errors.raise_if_any()
        size = resolve_page_size(page_size, default=LIST_LEADS_DEFAULT)
        binding = filter_binding(
            principal.tenant_id,
            "leads",
            where.account_id,
            where.channel,
            where.traffic_source,
            where.business_source,
            where.verdict,
            where.status,
            where.submit_start.isoformat() if where.submit_start else "",
            where.submit_end.isoformat() if where.submit_end else "",
            where.has_phone,
        )
        cursor = self._tokens.decode(page_token, binding=binding)
        after = _cursor(cursor)
        with self._store.read() as tx:
            page = tx.list_leads(principal.tenant_id, where, after, size + 1, count=True)
        leads = page.leads
        token = ""
        if len(leads) > size:
            leads = leads[:size]
            last = leads[-1]
            token = self._tokens.encode({"t": to_us(last.first_submit_time), "id": last.id}, binding=binding)
        return leads, token, page.total_size

    def list_submissions(
        self, principal: Principal, where: SubmissionFilter, page_size: int, page_token: str
    ) -> tuple[list[Submission], str]:
        """Submissions by submit_time ascending then id ascending: one lead's, or (without a lead) the tenant's of
        an account and/or a verdict, for instance the REJECTED ones kept for audit."""
        errors = ViolationCollector()
        if where.lead_id:
            validation.check_lead_id(where.lead_id)
        if where.account_id:
            validation.check_identifier(errors, "account_id", where.account_id, validation.MAX_ACCOUNT_ID)
        if where.verdict:
            try:
                Verdict(where.verdict)
            except ValueError:
                errors.add("verdict", f"must be a known value, got {where.verdict}")
        if not (where.lead_id or where.account_id or where.verdict):
            errors.add("lead_id", "is required unless account_id or verdict is set")
        if where.submit_start and where.submit_end and where.submit_end <= where.submit_start:
            errors.add("submit_end_time", "must be after submit_start_time")
        errors.raise_if_any()
        size = resolve_page_size(page_size, default=LIST_LEADS_DEFAULT)
        binding = filter_binding(
            principal.tenant_id,
            "submissions",
            where.lead_id,
            where.account_id,
            where.verdict,
            where.submit_start.isoformat() if where.submit_start else "",
            where.submit_end.isoformat() if where.submit_end else "",
        )
        after = _cursor(self._tokens.decode(page_token, binding=binding))
        with self._store.read() as tx:
            if where.lead_id and tx.get_lead(principal.tenant_id, where.lead_id) is None:
                raise _lead_not_found(where.lead_id)
            rows = tx.list_submissions(principal.tenant_id, where, after, size + 1)
        token = ""
        if len(rows) > size:
            rows = rows[:size]
            token = self._tokens.encode(
                {"t": to_us(rows[-1].submit_time), "id": rows[-1].id}, binding=binding
            )
        return rows, token

    # ================================================================== blocklists

    def set_blocklist(
        self, principal: Principal, entries: Sequence[BlocklistEntry]
    ) -> tuple[int, int, datetime]:
        """Replace the tenant's blocklist: phones normalised to E.164 (an entry that is no phone number is
        INVALID_ARGUMENT), keywords trimmed; entries with the same kind and value merge (the first note wins)."""
        errors = ViolationCollector()
        if len(entries) > MAX_BLOCKLIST_ENTRIES:
            errors.add("entries", f"must hold at most {MAX_BLOCKLIST_ENTRIES} entries, got {len(entries)}")
            errors.raise_if_any()
        with self._store.read() as tx:
            settings, _version = tx.tenant_settings(principal.tenant_id)
        merged: dict[tuple[BlocklistKind, str], BlocklistEntry] = {}
        for index, entry in enumerate(entries):
            path = f"entries[{index}]"
            try:
                kind = BlocklistKind(entry.kind)
            except ValueError:
                kind = BlocklistKind.UNSPECIFIED
            if kind is BlocklistKind.UNSPECIFIED:
                errors.add(f"{path}.kind", "must be PHONE or KEYWORD")
                continue
            if len(entry.note) > MAX_BLOCKLIST_NOTE:
                errors.add(f"{path}.note", f"must be at most {MAX_BLOCKLIST_NOTE} characters")
            elif validation.has_control_characters(entry.note.replace("\n", " ").replace("\t", " ")):
                errors.add(f"{path}.note", "must not contain control characters")
            value = entry.value.strip()
            if not value:
                errors.add(f"{path}.value", "is required")
                continue
            if len(value) > MAX_BLOCKLIST_VALUE:
                errors.add(f"{path}.value", f"must be at most {MAX_BLOCKLIST_VALUE} characters")
                continue
            if kind is BlocklistKind.PHONE:
                normalised = blocklist_phone(value, settings.default_region)
                if normalised is None:
                    errors.add(f"{path}.value", "is not a valid phone number")
                    continue
                value = normalised
            elif validation.has_control_characters(value):
                errors.add(f"{path}.value", "must not contain control characters")
                continue
            merged.setdefault((kind, value), BlocklistEntry(kind, value, entry.note.strip()))
        errors.raise_if_any()
        now = self._clock.now()
        with self._store.write() as tx:
            phones, keywords = tx.replace_blocklist(principal.tenant_id, list(merged.values()), now)
        return phones, keywords, now

    def list_blocklist(
        self, principal: Principal, kind: int, page_size: int, page_token: str
    ) -> tuple[list[BlocklistEntry], str]:
        """Entries ordered by kind, then value."""
        wanted: BlocklistKind | None = None
        if kind:
            try:
                wanted = BlocklistKind(kind)
            except ValueError:
                raise InvalidArgument(FieldViolation("kind", f"must be a known value, got {kind}")) from None
        size = resolve_page_size(page_size, default=LIST_BLOCKLIST_DEFAULT)
        binding = filter_binding(principal.tenant_id, "blocklist", kind)
        cursor = self._tokens.decode(page_token, binding=binding)
        after = None if cursor is None else (int(cursor.get("k", 0)), str(cursor.get("v", "")))
        with self._store.read() as tx:
            rows = tx.list_blocklist(principal.tenant_id, wanted, after, size + 1)
        token = ""
        if len(rows) > size:
            rows = rows[:size]
            token = self._tokens.encode({"k": int(rows[-1].kind), "v": rows[-1].value}, binding=binding)
        return rows, token

    # ================================================================== settings

    def get_settings(self, principal: Principal) -> tuple[TenantSettings, datetime | None]:
        """The tenant's settings (the default row's until changed) and when the tenant's own row last changed."""
        with self._store.read() as tx:
            settings, _version = tx.tenant_settings(principal.tenant_id)
            changed = tx.settings_update_time(principal.tenant_id)
        return settings, changed

    def update_settings(
        self, principal: Principal, settings: TenantSettings, mask: Sequence[str]
    ) -> tuple[TenantSettings, datetime | None]:
        """Change the fields named in ``mask`` ("*" for all). The screening cache compares the stored settings on
        every submission, so every replica applies the change to its next submission; this replica's entry is
        dropped as well."""
        errors = ViolationCollector()
        paths = [path.strip() for path in mask]
        if not paths:
            errors.add("update_mask", "is required: name default_region and/or landline_allowed, or *")
        fields: set[str] = set()
        for path in paths:
            if path == "*":
                fields.update(SETTINGS_FIELDS)
            elif path in SETTINGS_FIELDS:
                fields.add(path)
            else:
                errors.add("update_mask", f"{path!r} is not a field that can be changed")
        region = settings.default_region.strip().upper()
        if "default_region" in fields and not is_known_region(region):
            errors.add(
                "settings.default_region", "must be a known ISO 3166-1 alpha-2 region, such as CN or HK"
            )
        errors.raise_if_any()
        wanted = replace(settings, default_region=region)
        with self._store.write() as tx:
            tx.update_tenant_settings(principal.tenant_id, wanted, frozenset(fields), self._clock.now())
            stored, _version = tx.tenant_settings(principal.tenant_id)
            changed = tx.settings_update_time(principal.tenant_id)
        self._screening.invalidate(principal.tenant_id)
        return stored, changed

    # ================================================================== events from other services

    def on_refund_issued(self, tx: IngestTx, tenant: str, lead_id: str, reason: str) -> None:
        """A refunded charge proves the lead invalid, with the refund's reason. A refund of a duplicate charge
        (DUPLICATE_CHARGE) refunds the second submission only: the lead itself stays valid."""
        if reason == "DUPLICATE_CHARGE":
            return
        self._move(tx, tenant, lead_id, LeadStatus.INVALID, reason or "REFUNDED")

    def on_call_completed(
        self, tx: IngestTx, tenant: str, lead_id: str, call_id: str, outcome: str, lead_phone: str
    ) -> None:
        """EMPTY_NUMBER and SUSPENDED put the lead's phone on the tenant's dead-number list (later leads with it
        are rejected as PHONE_DEAD_NUMBER); ANSWERED moves a NEW or ASSIGNED lead to CONTACTED."""
        now = self._clock.now()
        if outcome in ("EMPTY_NUMBER", "SUSPENDED"):
            lead = tx.get_lead(tenant, lead_id) if lead_id else None
            phone = lead.contact.phone if lead is not None and lead.contact.phone else lead_phone
            if phone:
                tx.add_dead_number(tenant, phone, outcome, lead_id, call_id, now)
        elif outcome == "ANSWERED":
            self._move(tx, tenant, lead_id, LeadStatus.CONTACTED, "")

    def on_lead_assigned(self, tx: IngestTx, tenant: str, lead_id: str) -> None:
        self._move(tx, tenant, lead_id, LeadStatus.ASSIGNED, "")

    def _move(self, tx: IngestTx, tenant: str, lead_id: str, wanted: LeadStatus, reason: str) -> None:
        lead = tx.get_lead(tenant, lead_id) if lead_id else None
        if lead is None:
            # Not ours (another tenant's, or never stored): nothing to change; the event is still consumed.
            log.warning("event for a lead ingest does not have", extra={"lead_id": lead_id})
            return
        status = next_status(lead.status, wanted)
        if status is not None:
            tx.set_status(
                tenant, lead_id, status, reason if status is LeadStatus.INVALID else "", self._clock.now()
            )


def blocklist_phone(value: str, default_region: str) -> str | None:
    check = normalise_phone(value, default_region=default_region, allow_landline=True)
    return check.e164


class ScreeningCache:
    """Per-tenant screening context (settings and compiled keyword matcher), rebuilt when the tenant's
    blocklist version or settings change; replicas see every change on their next submission."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[Any, ScreeningContext]] = {}

    def context(self, tx: IngestTx, tenant: str) -> ScreeningContext:
        settings, version = tx.tenant_settings(tenant)
        stamp = (settings, version)
        cached = self._cache.get(tenant)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        context = ScreeningContext.build(settings, tx.blocked_phones(tenant), tx.keywords(tenant))
        with self._lock:
            self._cache[tenant] = (stamp, context)
        return context

    def invalidate(self, tenant: str) -> None:
        with self._lock:
            self._cache.pop(tenant, None)


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
    )


def _lead_not_found(lead_id: str) -> NotFound:
    return NotFound(f"lead {lead_id} does not exist", reason="LEAD_NOT_FOUND", metadata={"lead_id": lead_id})


def _cursor(cursor: dict[str, Any] | None) -> tuple[int, str] | None:
    if cursor is None:
        return None
    try:
        return int(cursor["t"]), str(cursor["id"])
    except (KeyError, TypeError, ValueError):
        raise InvalidArgument(
            FieldViolation("page_token", "is not a page token this server issued for these filters"),
            reason="INVALID_PAGE_TOKEN",
        ) from None
