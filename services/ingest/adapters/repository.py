"""The ingest storage port on SQLAlchemy Core, for SQLite and PostgreSQL.

Uniqueness lives in the database: a submission is inserted with ``INSERT ... ON CONFLICT DO NOTHING`` against
both idempotency keys (the unique (tenant, request_id) constraint and the partial unique index on (tenant, account,
channel, external_id)), a lead with ``ON CONFLICT DO NOTHING`` on its id, a lead-account pair likewise; the
caller learns from the row count whether it won. On PostgreSQL an insert that conflicts with a row another
transaction has not committed yet waits for that transaction, so two concurrent attempts never both win.
Deadlocks (40P01) and serialization failures (40001) surface as ``TransientConflict`` and the use case retries.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from services.common.db import Database, is_transient_conflict
from services.common.events import LEAD_ACCEPTED, LEAD_DUPLICATE, LEAD_REJECTED
from services.common.ids import new_id
from services.common.messaging import MessagingTables, record_event
from services.ingest import converters
from services.ingest.adapters.tables import (
    DEFAULT_SETTINGS_TENANT,
    blocklist_entries,
    dead_numbers,
    lead_accounts,
    leads,
    submissions,
    tenant_settings,
)
from services.ingest.domain.model import (
    BlocklistEntry,
    BlocklistKind,
    BusinessSource,
    Channel,
    Consent,
    Contact,
    Dimension,
    Lead,
    LeadStatus,
    Match,
    Money,
    Submission,
    TenantSettings,
    TrafficSource,
    Verdict,
)
from services.ingest.domain.normalisation import Rejection, RejectionCode
from services.ingest.domain.ports import (
    IngestStore,
    IngestTx,
    LeadFilter,
    LeadPage,
    SubmissionFilter,
    TransientConflict,
)
from services.ingest.domain.timeutil import from_us, to_us

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
_IN_CHUNK = 500  # values per IN (...) list


class SqlIngestStore(IngestStore):
    def __init__(self, database: Database, messaging: MessagingTables) -> None:
        self._db = database
        self._messaging = messaging

    @contextmanager
    def write(self) -> Iterator[SqlIngestTx]:
        try:
            with self._db.transaction() as session:
                yield SqlIngestTx(session, self._messaging)
        except DBAPIError as exc:
            if is_transient_conflict(exc):
                raise TransientConflict() from exc
            raise

    @contextmanager
    def read(self) -> Iterator[SqlIngestTx]:
        with self._db.read() as session:
            yield SqlIngestTx(session, self._messaging)

    def bind(self, session: Session) -> SqlIngestTx:
        """A transaction view on a session someone else owns (the event consumer's inbox transaction)."""
        return SqlIngestTx(session, self._messaging)


def _chunks(values: Sequence[Any], size: int = _IN_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class SqlIngestTx(IngestTx):
    def __init__(self, session: Session, messaging: MessagingTables) -> None:
        self._s = session
        self._messaging = messaging
        self._insert = _INSERTS[session.get_bind().dialect.name]

    # ------------------------------------------------------------------ submissions

    def submissions_by_request_id(self, tenant: str, request_ids: Iterable[str]) -> dict[str, Submission]:
        wanted = sorted(set(request_ids))
        found: dict[str, Submission] = {}
        for chunk in _chunks(wanted):
            rows = self._s.execute(
                sa.select(submissions).where(
                    submissions.c.tenant_id == tenant, submissions.c.request_id.in_(chunk)
                )
            ).mappings()
            for row in rows:
                found[row["request_id"]] = _submission(row)
        return found

    def submissions_by_external_key(
        self, tenant: str, keys: Iterable[tuple[str, int, str]]
    ) -> dict[tuple[str, int, str], Submission]:
        wanted = set(keys)
        found: dict[tuple[str, int, str], Submission] = {}
        external_ids = sorted({k[2] for k in wanted})
        for chunk in _chunks(external_ids):
            rows = self._s.execute(
                sa.select(submissions).where(
                    submissions.c.tenant_id == tenant,
                    submissions.c.external_id.in_(chunk),
                    submissions.c.external_id != "",
                )
            ).mappings()
            for row in rows:
                key = (row["account_id"], int(row["channel"]), row["external_id"])
                if key in wanted:
                    found[key] = _submission(row)
        return found

    def insert_submission(self, submission: Submission) -> bool:
        cost = submission.cost
        consent = submission.consent
        contact = submission.contact
        values = {
            "id": submission.id,
            "tenant_id": submission.tenant_id,
            "lead_id": submission.lead_id,
            "account_id": submission.account_id,
            "collect_account_id": submission.collect_account_id,
            "channel": int(submission.channel),
            "traffic_source": int(submission.traffic_source),
            "business_source": int(submission.business_source),
            "external_id": submission.external_id,
            "request_id": submission.request_id,
            "request_digest": submission.request_digest,
            **_contact_values(contact),
            "campaign_id": submission.campaign_id,
            "adgroup_id": submission.adgroup_id,
            "creative_id": submission.creative_id,
            "cost_currency": cost.currency_code if cost else None,
            "cost_units": cost.units if cost else None,
            "cost_nanos": cost.nanos if cost else None,
            "attributes": dict(submission.attributes),
            "consent": {
                "contact": consent.contact,
                "marketing": consent.marketing,
                "notice_version": consent.notice_version,
                "grant_us": to_us(consent.grant_time) if consent.grant_time else None,
            },
            "verdict": int(submission.verdict),
            "rejections": [
                {"code": r.code.value, "field": r.field, "message": r.message, "rule": r.rule}
                for r in submission.rejections
            ],
            "matches": [
                {
                    "dimension": int(m.dimension),
                    "lead_id": m.lead_id,
                    "first_seen_us": to_us(m.first_seen_time),
                }
                for m in submission.matches
            ],
            "duplicate_of_lead_id": submission.duplicate_of_lead_id,
            "returning_of_lead_id": submission.returning_of_lead_id,
            "submit_us": to_us(submission.submit_time),
            "create_us": to_us(submission.create_time),
        }
        # No conflict target: a conflict on the request id or on the external-id key both mean "stored already".
        statement = (
            self._insert(submissions)
            .values(**values)
            .on_conflict_do_nothing()
            .execution_options(preserve_rowcount=True)
        )
        return self._s.execute(statement).rowcount == 1

    def list_submissions(
        self, tenant: str, where: SubmissionFilter, after: tuple[int, str] | None, limit: int
    ) -> list[Submission]:
        s = submissions.c
        query = sa.select(submissions).where(s.tenant_id == tenant)
        if where.lead_id:
            query = query.where(s.lead_id == where.lead_id)
        if where.account_id:
            query = query.where(s.account_id == where.account_id)
        if where.verdict:
            query = query.where(s.verdict == where.verdict)
        if where.submit_start is not None:
            query = query.where(s.submit_us >= to_us(where.submit_start))
        if where.submit_end is not None:
            query = query.where(s.submit_us < to_us(where.submit_end))
        if after is not None:
            query = query.where(
                sa.tuple_(s.submit_us, s.id) > sa.tuple_(sa.literal(after[0]), sa.literal(after[1]))
            )
        rows = self._s.execute(query.order_by(s.submit_us, s.id).limit(limit)).mappings()
        return [_submission(row) for row in rows]

    # ------------------------------------------------------------------ leads

    def get_lead(self, tenant: str, lead_id: str) -> Lead | None:
        return self.get_leads(tenant, [lead_id]).get(lead_id)

    def get_leads(self, tenant: str, lead_ids: Iterable[str]) -> dict[str, Lead]:
        wanted = sorted(set(lead_ids))
        if not wanted:
            return {}
        rows: list[Any] = []
        for chunk in _chunks(wanted):
            rows.extend(
                self._s.execute(
                    sa.select(leads).where(leads.c.tenant_id == tenant, leads.c.id.in_(chunk))
                ).mappings()
            )
        accounts = self._accounts_of([row["id"] for row in rows])
        return {row["id"]: _lead(row, accounts.get(row["id"], ())) for row in rows}

    def _accounts_of(self, lead_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        result: dict[str, list[str]] = {}
        la = lead_accounts.c
        for chunk in _chunks(list(lead_ids)):
            rows = self._s.execute(
                sa.select(la.lead_id, la.account_id)
                .where(la.lead_id.in_(chunk))
                .order_by(la.lead_id, la.add_us, la.account_id)
            )
            for lead_id, account_id in rows:
                result.setdefault(lead_id, []).append(account_id)
        return {k: tuple(v) for k, v in result.items()}

    def insert_lead(self, lead: Lead) -> bool:
        values = {
            "id": lead.id,
            "tenant_id": lead.tenant_id,
            "status": int(lead.status),
            "verdict": int(lead.verdict),
            "invalid_reason": lead.invalid_reason,
            **_contact_values(lead.contact),
            "channel": int(lead.channel),
            "traffic_source": int(lead.traffic_source),
            "business_source": int(lead.business_source),
            "first_submit_us": to_us(lead.first_submit_time),
            "last_submit_us": to_us(lead.last_submit_time),
            "submission_count": lead.submission_count,
            "create_us": to_us(lead.create_time),
            "update_us": to_us(lead.update_time),
            "returning_of_lead_id": lead.returning_of_lead_id,
            "duplicate_of_lead_id": lead.duplicate_of_lead_id,
        }
        statement = (
            self._insert(leads)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["id"])
            .execution_options(preserve_rowcount=True)
        )
        return self._s.execute(statement).rowcount == 1

    def attach(self, tenant: str, lead_id: str, submit_time: datetime, now: datetime) -> None:
        submit_us = to_us(submit_time)
        self._s.execute(
            sa.update(leads)
            .where(leads.c.tenant_id == tenant, leads.c.id == lead_id)
            .values(
                submission_count=leads.c.submission_count + 1,
                last_submit_us=sa.case(
                    (leads.c.last_submit_us < submit_us, submit_us), else_=leads.c.last_submit_us
                ),
                update_us=to_us(now),
            )
        )

    def add_accounts(self, tenant: str, lead_id: str, account_ids: Sequence[str], now: datetime) -> None:
        base = to_us(now)
        rows = [
            {"lead_id": lead_id, "account_id": account, "tenant_id": tenant, "add_us": base + offset}
            for offset, account in enumerate(dict.fromkeys(account_ids))
        ]
        self._s.execute(
            self._insert(lead_accounts)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["lead_id", "account_id"])
        )

    def set_status(
        self, tenant: str, lead_id: str, status: LeadStatus, invalid_reason: str, now: datetime
    ) -> None:
        self._s.execute(
            sa.update(leads)
            .where(leads.c.tenant_id == tenant, leads.c.id == lead_id)
            .values(status=int(status), invalid_reason=invalid_reason, update_us=to_us(now))
        )

    def list_leads(
        self, tenant: str, where: LeadFilter, after: tuple[int, str] | None, limit: int, count: bool
    ) -> LeadPage:
        c = leads.c
        conditions: list[Any] = [c.tenant_id == tenant]
        if where.account_id:
            la = lead_accounts.c
            conditions.append(
                sa.exists().where(
                    la.lead_id == c.id, la.tenant_id == tenant, la.account_id == where.account_id
                )
            )
        for column, value in (
            (c.channel, where.channel),
            (c.traffic_source, where.traffic_source),
            (c.business_source, where.business_source),
            (c.verdict, where.verdict),
            (c.status, where.status),
        ):
            if value:
                conditions.append(column == value)
        if where.submit_start is not None:
            conditions.append(c.first_submit_us >= to_us(where.submit_start))
        if where.submit_end is not None:
            conditions.append(c.first_submit_us < to_us(where.submit_end))
        if where.has_phone is not None:
            conditions.append(c.phone != "" if where.has_phone else c.phone == "")
        total = 0
        if count:
            total = int(
                self._s.execute(sa.select(sa.func.count()).select_from(leads).where(*conditions)).scalar_one()
            )
        query = sa.select(leads).where(*conditions)
        if after is not None:
            t, lead_id = after
            query = query.where(
                sa.or_(c.first_submit_us < t, sa.and_(c.first_submit_us == t, c.id < lead_id))
            )
        rows = list(
            self._s.execute(query.order_by(c.first_submit_us.desc(), c.id.desc()).limit(limit)).mappings()
        )
        accounts = self._accounts_of([row["id"] for row in rows])
        return LeadPage([_lead(row, accounts.get(row["id"], ())) for row in rows], total)

    # ------------------------------------------------------------------ rules

    def tenant_settings(self, tenant: str) -> tuple[TenantSettings, int]:
        ts = tenant_settings.c
        rows = self._s.execute(
            sa.select(ts.tenant_id, ts.default_region, ts.landline_allowed, ts.blocklist_version).where(
                ts.tenant_id.in_([tenant, DEFAULT_SETTINGS_TENANT])
            )
        ).all()
        own = next((r for r in rows if r.tenant_id == tenant), None)
        default = next((r for r in rows if r.tenant_id == DEFAULT_SETTINGS_TENANT), None)
        source = own if own is not None else default
        settings = (
            TenantSettings(source.default_region, bool(source.landline_allowed))
            if source is not None
            else TenantSettings()
        )
        return settings, int(own.blocklist_version) if own is not None else 0

    def settings_update_time(self, tenant: str) -> datetime | None:
        ts = tenant_settings.c
        update_us = self._s.execute(
            sa.select(ts.update_us).where(ts.tenant_id == tenant)
        ).scalar_one_or_none()
        return None if update_us is None else from_us(update_us)

    def update_tenant_settings(
        self, tenant: str, settings: TenantSettings, fields: frozenset[str], now: datetime
    ) -> None:
        current, _ = self.tenant_settings(tenant)
        wanted = {
            "default_region": settings.default_region
            if "default_region" in fields
            else current.default_region,
            "landline_allowed": settings.landline_allowed
            if "landline_allowed" in fields
            else current.landline_allowed,
        }
        # Only the named columns are overwritten on conflict, so concurrent updates of different fields both hold.
        changed = {name: wanted[name] for name in sorted(fields)}
        self._s.execute(
            self._insert(tenant_settings)
            .values(tenant_id=tenant, blocklist_version=0, update_us=to_us(now), **wanted)
            .on_conflict_do_update(index_elements=["tenant_id"], set_={**changed, "update_us": to_us(now)})
        )

    def keywords(self, tenant: str) -> list[str]:
        b = blocklist_entries.c
        return list(
            self._s.execute(
                sa.select(b.value)
                .where(b.tenant_id == tenant, b.kind == int(BlocklistKind.KEYWORD))
                .order_by(b.create_us, b.value)
            ).scalars()
        )

    def blocked_phones(self, tenant: str) -> list[str]:
        b = blocklist_entries.c
        return list(
            self._s.execute(
                sa.select(b.value).where(b.tenant_id == tenant, b.kind == int(BlocklistKind.PHONE))
            ).scalars()
        )

    def dead_phones(self, tenant: str, phones: Iterable[str]) -> set[str]:
        d = dead_numbers.c
        wanted = sorted(set(phones))
        found: set[str] = set()
        for chunk in _chunks(wanted):
            found.update(
                self._s.execute(sa.select(d.phone).where(d.tenant_id == tenant, d.phone.in_(chunk))).scalars()
            )
        return found

    def add_dead_number(
        self, tenant: str, phone: str, reason: str, lead_id: str, call_id: str, now: datetime
    ) -> None:
        self._s.execute(
            self._insert(dead_numbers)
            .values(
                tenant_id=tenant,
                phone=phone,
                reason=reason,
                lead_id=lead_id,
                call_id=call_id,
                create_us=to_us(now),
            )
            .on_conflict_do_nothing(index_elements=["tenant_id", "phone"])
        )

    def replace_blocklist(
        self, tenant: str, entries: Sequence[BlocklistEntry], now: datetime
    ) -> tuple[int, int]:
        b = blocklist_entries.c
        self._bump_blocklist_version(tenant, now)  # first: it also serialises concurrent replacements
        existing = {
            (int(row.kind), row.value): int(row.create_us)
            for row in self._s.execute(sa.select(b.kind, b.value, b.create_us).where(b.tenant_id == tenant))
        }
        self._s.execute(sa.delete(blocklist_entries).where(b.tenant_id == tenant))
        now_us = to_us(now)
        rows = [
            {
                "tenant_id": tenant,
                "kind": int(e.kind),
                "value": e.value,
                "note": e.note,
                "create_us": existing.get((int(e.kind), e.value), now_us + i),
            }
            for i, e in enumerate(entries)
        ]
        for chunk in _chunks(rows):
            self._s.execute(sa.insert(blocklist_entries), list(chunk))
        phones = sum(1 for e in entries if e.kind is BlocklistKind.PHONE)
        return phones, len(entries) - phones

    def _bump_blocklist_version(self, tenant: str, now: datetime) -> None:
        ts = tenant_settings.c
        updated = self._s.execute(
            sa.update(tenant_settings)
            .where(ts.tenant_id == tenant)
            .values(blocklist_version=ts.blocklist_version + 1, update_us=to_us(now))
            .execution_options(preserve_rowcount=True)
        ).rowcount
        if updated:
            return
        default, _ = self.tenant_settings(tenant)
        self._s.execute(
            self._insert(tenant_settings)
            .values(
                tenant_id=tenant,
                default_region=default.default_region,
                landline_allowed=default.landline_allowed,
                blocklist_version=1,
                update_us=to_us(now),
            )
            .on_conflict_do_update(
                index_elements=["tenant_id"],
                set_={"blocklist_version": tenant_settings.c.blocklist_version + 1, "update_us": to_us(now)},
            )
        )

    def list_blocklist(
        self, tenant: str, kind: BlocklistKind | None, after: tuple[int, str] | None, limit: int
    ) -> list[BlocklistEntry]:
        b = blocklist_entries.c
        query = sa.select(blocklist_entries).where(b.tenant_id == tenant)
        if kind is not None:
            query = query.where(b.kind == int(kind))
        if after is not None:
            query = query.where(sa.or_(b.kind > after[0], sa.and_(b.kind == after[0], b.value > after[1])))
        rows = self._s.execute(query.order_by(b.kind, b.value).limit(limit)).mappings()
        return [
            BlocklistEntry(BlocklistKind(row["kind"]), row["value"], row["note"], from_us(row["create_us"]))
            for row in rows
        ]

    # ------------------------------------------------------------------ events

    def _record(self, subject: str, message: Any, aggregate_id: str, event_id: str) -> None:
        record_event(
            self._s,
            self._messaging,
            subject=subject,
            message=message,
            aggregate_id=aggregate_id,
            event_id=event_id,
        )

    def record_accepted(self, lead: Lead, submission: Submission, now: datetime) -> None:
        event_id = new_id()
        self._record(
            LEAD_ACCEPTED, converters.accepted_event(event_id, lead, submission, now), lead.id, event_id
        )

    def record_duplicate(self, lead_id: str, submission: Submission, now: datetime) -> None:
        event_id = new_id()
        self._record(
            LEAD_DUPLICATE, converters.duplicate_event(event_id, lead_id, submission, now), lead_id, event_id
        )

    def record_rejected(self, submission: Submission, now: datetime) -> None:
        event_id = new_id()
        self._record(
            LEAD_REJECTED, converters.rejected_event(event_id, submission, now), submission.id, event_id
        )


# ------------------------------------------------------------------ row mapping


def _contact_values(contact: Contact) -> dict[str, Any]:
    return {
        "name": contact.name,
        "phone": contact.phone,
        "phone_from_wechat": contact.phone_from_wechat,
        "wechat": contact.wechat,
        "email": contact.email,
        "ip": contact.ip,
        "device_id": contact.device_id,
        "phone_province": contact.phone_province,
        "phone_city": contact.phone_city,
    }


def _contact(row: Any) -> Contact:
    return Contact(
        name=row["name"],
        phone=row["phone"],
        phone_from_wechat=bool(row["phone_from_wechat"]),
        wechat=row["wechat"],
        email=row["email"],
        ip=row["ip"],
        device_id=row["device_id"],
        phone_province=row["phone_province"],
        phone_city=row["phone_city"],
    )


def _lead(row: Any, account_ids: tuple[str, ...]) -> Lead:
    return Lead(
        id=row["id"],
        tenant_id=row["tenant_id"],
        account_ids=account_ids,
        status=LeadStatus(row["status"]),
        verdict=Verdict(row["verdict"]),
        contact=_contact(row),
        invalid_reason=row["invalid_reason"],
        channel=Channel(row["channel"]),
        traffic_source=TrafficSource(row["traffic_source"]),
        business_source=BusinessSource(row["business_source"]),
        first_submit_time=from_us(row["first_submit_us"]),
        last_submit_time=from_us(row["last_submit_us"]),
        submission_count=row["submission_count"],
        create_time=from_us(row["create_us"]),
        update_time=from_us(row["update_us"]),
        returning_of_lead_id=row["returning_of_lead_id"],
        duplicate_of_lead_id=row["duplicate_of_lead_id"],
    )


def _submission(row: Any) -> Submission:
    cost = None
    if row["cost_currency"] is not None:
        cost = Money(row["cost_currency"], int(row["cost_units"]), int(row["cost_nanos"]))
    consent = row["consent"] or {}
    grant_us = consent.get("grant_us")
    return Submission(
        id=row["id"],
        tenant_id=row["tenant_id"],
        lead_id=row["lead_id"],
        account_id=row["account_id"],
        collect_account_id=row["collect_account_id"],
        channel=Channel(row["channel"]),
        traffic_source=TrafficSource(row["traffic_source"]),
        business_source=BusinessSource(row["business_source"]),
        external_id=row["external_id"],
        request_id=row["request_id"],
        request_digest=bytes(row["request_digest"]),
        contact=_contact(row),
        campaign_id=row["campaign_id"],
        adgroup_id=row["adgroup_id"],
        creative_id=row["creative_id"],
        cost=cost,
        attributes=dict(row["attributes"] or {}),
        consent=Consent(
            bool(consent.get("contact", False)),
            bool(consent.get("marketing", False)),
            str(consent.get("notice_version", "")),
            from_us(int(grant_us)) if grant_us is not None else None,
        ),
        verdict=Verdict(row["verdict"]),
        rejections=tuple(
            Rejection(RejectionCode(r["code"]), r["field"], r["message"], r.get("rule", ""))
            for r in row["rejections"]
        ),
        matches=tuple(
            Match(Dimension(m["dimension"]), m["lead_id"], from_us(int(m["first_seen_us"])))
            for m in row["matches"]
        ),
        duplicate_of_lead_id=row["duplicate_of_lead_id"],
        returning_of_lead_id=row["returning_of_lead_id"],
        submit_time=from_us(row["submit_us"]),
        create_time=from_us(row["create_us"]),
    )
