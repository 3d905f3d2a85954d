"""In-memory fakes of ingest's ports (``services.ingest.domain.ports``), for handler tests without a database.

They keep the contract the SQL adapters keep where handlers depend on it: inserts report whether they won (the
idempotency keys and lead ids are unique), lists come in the documented order after a cursor, and
``FakeTransactions`` restores every repository when a write raises.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from services.common.errors import DomainError, Unavailable
from services.common.timeconv import to_us
from services.ingest.domain.erasure import GIVEN_UP_ERROR, erased_contact
from services.ingest.domain.model import (
    BlocklistEntry,
    BlocklistKind,
    DedupAction,
    Lead,
    LeadStatus,
    Submission,
    TenantSettings,
    Verdict,
)
from services.ingest.domain.ports import (
    ClaimAnswer,
    ClaimRequest,
    DedupPort,
    ExternalKey,
    LeadFilter,
    LeadRepository,
    PushRepository,
    RulesRepository,
    SubmissionFilter,
    SubmissionRepository,
)
from services.ingest.domain.push import (
    ClaimedDelivery,
    DeliveryStatus,
    NewDelivery,
    PushDelivery,
    PushRule,
    Transition,
)
from tests.common.fakes import EventList


class FakeLeads(LeadRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Lead] = {}

    def get(self, tenant: str, lead_id: str) -> Lead | None:
        return self.rows.get((tenant, lead_id))

    def status_of(self, tenant: str, lead_id: str) -> LeadStatus | None:
        lead = self.rows.get((tenant, lead_id))
        return None if lead is None else lead.status

    def get_many(self, tenant: str, lead_ids: Iterable[str]) -> dict[str, Lead]:
        return {i: self.rows[(tenant, i)] for i in lead_ids if (tenant, i) in self.rows}

    def insert(self, lead: Lead) -> bool:
        if any(key[1] == lead.id for key in self.rows):
            return False
        self.rows[(lead.tenant_id, lead.id)] = lead
        return True

    def attach(self, tenant: str, lead_id: str, submit_time: datetime, now: datetime) -> None:
        lead = self.rows[(tenant, lead_id)]
        self.rows[(tenant, lead_id)] = replace(
            lead,
            submission_count=lead.submission_count + 1,
            last_submit_time=max(lead.last_submit_time, submit_time),
            update_time=now,
        )

    def add_accounts(self, tenant: str, lead_id: str, account_ids: Sequence[str], now: datetime) -> None:
        lead = self.rows[(tenant, lead_id)]
        self.rows[(tenant, lead_id)] = replace(
            lead, account_ids=tuple(dict.fromkeys([*lead.account_ids, *account_ids]))
        )

    def move_status(
        self,
        tenant: str,
        lead_id: str,
        status: LeadStatus,
        invalid_reason: str,
        now: datetime,
        *,
        only_from: frozenset[LeadStatus],
    ) -> bool:
        lead = self.rows.get((tenant, lead_id))
        if lead is None or lead.status not in only_from:
            return False
        self.rows[(tenant, lead_id)] = replace(
            lead, status=status, invalid_reason=invalid_reason, update_time=now
        )
        return True

    def _matching(self, tenant: str, where: LeadFilter) -> list[Lead]:
        found = []
        for (t, _), lead in self.rows.items():
            if t != tenant or (where.account_id and where.account_id not in lead.account_ids):
                continue
            if (
                where.status
                and lead.status != where.status
                or where.verdict
                and lead.verdict != where.verdict
            ):
                continue
            if where.channel and lead.channel != where.channel:
                continue
            found.append(lead)
        return found

    def list(self, tenant: str, where: LeadFilter, after: tuple[int, str] | None, limit: int) -> list[Lead]:
        ordered = sorted(
            self._matching(tenant, where), key=lambda x: (to_us(x.first_submit_time), x.id), reverse=True
        )
        if after is not None:
            ordered = [x for x in ordered if (to_us(x.first_submit_time), x.id) < after]
        return ordered[:limit]

    def count(self, tenant: str, where: LeadFilter) -> int:
        return len(self._matching(tenant, where))

    def contact_fields(self, tenant: str, lead_id: str, names: Sequence[str]) -> dict[str, str] | None:
        lead = self.rows.get((tenant, lead_id))
        return None if lead is None else {name: getattr(lead.contact, name) for name in names}

    def erase(self, tenant: str, lead_id: str, now: datetime, erased_by: str) -> bool:
        lead = self.rows.get((tenant, lead_id))
        if lead is None or lead.erase_time is not None:
            return False
        self.rows[(tenant, lead_id)] = replace(
            lead, contact=erased_contact(lead.contact), erase_time=now, erased_by=erased_by, update_time=now
        )
        return True

    def is_erased(self, tenant: str, lead_id: str) -> bool:
        lead = self.rows.get((tenant, lead_id))
        return lead is not None and lead.erase_time is not None


class FakeSubmissions(SubmissionRepository):
    def __init__(self) -> None:
        self.rows: list[Submission] = []

    def by_request_ids(self, tenant: str, request_ids: Iterable[str]) -> dict[str, Submission]:
        wanted = set(request_ids)
        return {s.request_id: s for s in self.rows if s.tenant_id == tenant and s.request_id in wanted}

    def by_external_keys(self, tenant: str, keys: Iterable[ExternalKey]) -> dict[ExternalKey, Submission]:
        wanted = set(keys)
        found = {}
        for s in self.rows:
            key = (s.account_id, int(s.channel), s.external_id)
            if s.tenant_id == tenant and s.external_id and key in wanted:
                found[key] = s
        return found

    def insert(self, submission: Submission) -> bool:
        key = (submission.account_id, int(submission.channel), submission.external_id)
        for s in self.rows:
            if s.tenant_id != submission.tenant_id:
                continue
            if s.request_id == submission.request_id:
                return False
            if submission.external_id and (s.account_id, int(s.channel), s.external_id) == key:
                return False
        self.rows.append(submission)
        return True

    def list(
        self, tenant: str, where: SubmissionFilter, after: tuple[int, str] | None, limit: int
    ) -> list[Submission]:
        found = [
            s
            for s in self.rows
            if s.tenant_id == tenant
            and (not where.lead_id or s.lead_id == where.lead_id)
            and (not where.account_id or s.account_id == where.account_id)
            and (not where.verdict or s.verdict == where.verdict)
        ]
        found.sort(key=lambda s: (to_us(s.submit_time), s.id))
        if after is not None:
            found = [s for s in found if (to_us(s.submit_time), s.id) > after]
        return found[:limit]

    def erase(self, tenant: str, lead_id: str, numbers: Sequence[str]) -> int:
        changed = 0
        for index, s in enumerate(self.rows):
            rejected_with_number = s.verdict is Verdict.REJECTED and s.contact.phone in numbers
            if s.tenant_id == tenant and (s.lead_id == lead_id or rejected_with_number):
                self.rows[index] = replace(s, contact=erased_contact(s.contact), attributes={})
                changed += 1
        return changed


class FakeRules(RulesRepository):
    def __init__(self) -> None:
        self.settings_rows: dict[str, tuple[TenantSettings, int, datetime]] = {}
        self.blocklists: dict[str, list[BlocklistEntry]] = {}
        self.dead: dict[tuple[str, str], str] = {}
        self.dead_lead: dict[tuple[str, str], str] = {}

    def settings(self, tenant: str) -> tuple[TenantSettings, int]:
        own = self.settings_rows.get(tenant)
        return (own[0], own[1]) if own else (TenantSettings(), 0)

    def settings_update_time(self, tenant: str) -> datetime | None:
        own = self.settings_rows.get(tenant)
        return own[2] if own else None

    def update_settings(
        self, tenant: str, settings: TenantSettings, fields: frozenset[str], now: datetime
    ) -> None:
        current, version = self.settings(tenant)
        merged = replace(current, **{name: getattr(settings, name) for name in fields})
        self.settings_rows[tenant] = (merged, version, now)

    def keywords(self, tenant: str) -> list[str]:
        return [e.value for e in self.blocklists.get(tenant, []) if e.kind is BlocklistKind.KEYWORD]

    def blocked_phones(self, tenant: str) -> list[str]:
        return [e.value for e in self.blocklists.get(tenant, []) if e.kind is BlocklistKind.PHONE]

    def replace_blocklist(
        self, tenant: str, entries: Sequence[BlocklistEntry], now: datetime
    ) -> tuple[int, int]:
        self.blocklists[tenant] = [replace(e, create_time=now) for e in entries]
        current, version = self.settings(tenant)
        self.settings_rows[tenant] = (current, version + 1, now)
        phones = sum(1 for e in entries if e.kind is BlocklistKind.PHONE)
        return phones, len(entries) - phones

    def list_blocklist(
        self, tenant: str, kind: BlocklistKind | None, after: tuple[int, str] | None, limit: int
    ) -> list[BlocklistEntry]:
        found = sorted(
            (e for e in self.blocklists.get(tenant, []) if kind is None or e.kind is kind),
            key=lambda e: (int(e.kind), e.value),
        )
        if after is not None:
            found = [e for e in found if (int(e.kind), e.value) > after]
        return found[:limit]

    def dead_phones(self, tenant: str, phones: Iterable[str]) -> set[str]:
        return {p for p in phones if (tenant, p) in self.dead}

    def add_dead_number(
        self, tenant: str, phone: str, reason: str, lead_id: str, call_id: str, now: datetime
    ) -> None:
        self.dead.setdefault((tenant, phone), reason)
        self.dead_lead.setdefault((tenant, phone), lead_id)

    def forget_dead_numbers(self, tenant: str, lead_id: str, numbers: Sequence[str]) -> int:
        gone = [
            key
            for key in self.dead
            if key[0] == tenant and (key[1] in numbers or self.dead_lead.get(key) == lead_id)
        ]
        for key in gone:
            del self.dead[key]
            self.dead_lead.pop(key, None)
        return len(gone)


class FakePush(PushRepository):
    def __init__(self) -> None:
        self.rules: dict[tuple[str, str], PushRule] = {}
        self.deliveries: dict[str, PushDelivery] = {}

    def get_rule(self, tenant: str, account_id: str, *, for_update: bool = False) -> PushRule | None:
        return self.rules.get((tenant, account_id))

    def upsert_rule(self, rule: PushRule) -> None:
        self.rules[(rule.tenant_id, rule.account_id)] = rule

    def create_delivery(self, new: NewDelivery) -> bool:
        if any(d.event_id == new.event_id for d in self.deliveries.values()):
            return False
        self.deliveries[new.id] = PushDelivery(
            id=new.id,
            tenant_id=new.tenant_id,
            account_id=new.account_id,
            lead_id=new.lead_id,
            event_id=new.event_id,
            status=DeliveryStatus.PENDING,
            attempts=0,
            last_http_status=0,
            last_error="",
            next_attempt_time=new.create_time,
            first_attempt_time=None,
            delivered_time=None,
            create_time=new.create_time,
            update_time=new.create_time,
            payload=new.payload,
        )
        return True

    def get_delivery(self, tenant: str, delivery_id: str) -> PushDelivery | None:
        found = self.deliveries.get(delivery_id)
        return found if found is not None and found.tenant_id == tenant else None

    def claim_due(self, now: datetime, lease: timedelta, limit: int) -> list[ClaimedDelivery]:
        due = sorted(
            (
                d
                for d in self.deliveries.values()
                if d.next_attempt_time is not None and d.next_attempt_time <= now
            ),
            key=lambda d: d.next_attempt_time or now,
        )[:limit]
        claimed = []
        for d in due:
            leased = replace(
                d,
                attempts=d.attempts + 1,
                next_attempt_time=now + lease,
                first_attempt_time=d.first_attempt_time or now,
            )
            self.deliveries[d.id] = leased
            claimed.append(
                ClaimedDelivery(leased, leased.attempts, self.rules.get((d.tenant_id, d.account_id)))
            )
        return claimed

    def record_attempt(self, delivery_id: str, attempt: int, transition: Transition, now: datetime) -> bool:
        d = self.deliveries[delivery_id]
        if d.attempts != attempt or d.status.terminal:
            return False
        self.deliveries[delivery_id] = replace(
            d,
            status=transition.status,
            last_http_status=transition.last_http_status,
            last_error=transition.last_error,
            next_attempt_time=transition.next_attempt_time,
            delivered_time=transition.delivered_time,
            update_time=now,
        )
        return True

    def next_due_time(self) -> datetime | None:
        times = [d.next_attempt_time for d in self.deliveries.values() if d.next_attempt_time is not None]
        return min(times) if times else None

    def list_deliveries(
        self,
        tenant: str,
        *,
        lead_id: str,
        account_id: str,
        statuses: Sequence[DeliveryStatus],
        after: tuple[int, str] | None,
        limit: int,
    ) -> list[PushDelivery]:
        found = [
            d
            for d in self.deliveries.values()
            if d.tenant_id == tenant
            and (not lead_id or d.lead_id == lead_id)
            and (not account_id or d.account_id == account_id)
            and (not statuses or d.status in statuses)
        ]
        found.sort(key=lambda d: (to_us(d.create_time), d.id), reverse=True)
        if after is not None:
            found = [d for d in found if (to_us(d.create_time), d.id) < after]
        return found[:limit]

    def erase_of_lead(self, tenant: str, lead_id: str, now: datetime) -> int:
        changed = 0
        for key, d in list(self.deliveries.items()):
            if d.tenant_id != tenant or d.lead_id != lead_id:
                continue
            active = not d.status.terminal
            self.deliveries[key] = replace(
                d,
                payload={},
                status=DeliveryStatus.GAVE_UP if active else d.status,
                last_error=GIVEN_UP_ERROR if active else d.last_error,
                next_attempt_time=None if active else d.next_attempt_time,
                update_time=now,
            )
            changed += 1
        return changed


@dataclass
class FakeIngestUnitOfWork:
    leads: FakeLeads = field(default_factory=FakeLeads)
    submissions: FakeSubmissions = field(default_factory=FakeSubmissions)
    rules: FakeRules = field(default_factory=FakeRules)
    push: FakePush = field(default_factory=FakePush)
    events: EventList = field(default_factory=EventList)


class FakeDedup(DedupPort):
    """Dedup as a dictionary of keyed phone hashes per tenant: NEW the first time, DUPLICATE (MERGE) after."""

    def __init__(self) -> None:
        self.owner: dict[tuple[str, bytes], str] = {}
        self.answers: dict[tuple[str, str], ClaimAnswer] = {}
        self.calls = 0
        self.down = False  # forget raises Unavailable, as the gRPC client does when dedup does not answer
        self.forgotten: list[tuple[str, str]] = []

    async def claim(self, tenant_id: str, request: ClaimRequest) -> ClaimAnswer:
        self.calls += 1
        remembered = self.answers.get((tenant_id, request.request_id))
        if remembered is not None:
            return remembered
        canonical = request.candidate_lead_id
        for _dimension, keyed in request.fingerprints:
            canonical = self.owner.setdefault((tenant_id, keyed), canonical)
        new = canonical == request.candidate_lead_id
        answer = ClaimAnswer(
            Verdict.NEW if new else Verdict.DUPLICATE,
            canonical,
            (),
            DedupAction.UNSPECIFIED if new else DedupAction.MERGE,
        )
        self.answers[(tenant_id, request.request_id)] = answer
        return answer

    async def batch_claim(
        self, tenant_id: str, requests: Sequence[ClaimRequest]
    ) -> list[ClaimAnswer | DomainError]:
        return [await self.claim(tenant_id, request) for request in requests]

    async def forget(self, tenant_id: str, lead_id: str) -> None:
        if self.down:
            raise Unavailable("the dedup service is unavailable", reason="DEDUP_UNAVAILABLE")
        self.forgotten.append((tenant_id, lead_id))
        for key in [k for k, owner in self.owner.items() if k[0] == tenant_id and owner == lead_id]:
            del self.owner[key]
