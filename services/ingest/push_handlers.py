"""Push delivery use cases (线索推送): push rules, scheduling a push per accepted lead, and the worker that sends.

- ``PushHandlers.set_push_rule`` / ``get_push_rule`` / ``list_push_deliveries``: the three RPCs, synchronous (the
  servicer runs them in a worker thread, as it runs the other ingest handlers).
- ``PushHandlers.on_lead_accepted(session, delivery)``: the ``EventConsumer`` handler of ingest's own
  ``leadflow.lead.v1.accepted`` events (consumer ``PUSH_CONSUMER``). Inside the consumer's inbox transaction it
  creates one PENDING delivery when the lead's account has an enabled rule, with the selected fields taken from
  the event and, for the contact fields the event does not carry (name, WeChat id, e-mail, IP, device id), from
  ingest's own leads table in the same transaction. The event id is unique on the delivery, so a redelivered event schedules nothing.
- ``PushWorker.run(stop)``: claims due deliveries (a lease, safe with several replicas, see
  ``adapters.push_repository``), POSTs each one signed (``adapters.push_sender``), records the result, and
  sleeps until the next delivery is due (at most ``poll_interval``) or ``stop`` is set.

The rule is read again at every attempt: a changed endpoint URL or secret applies to pending retries, a disabled
or deleted rule ends them (GAVE_UP). The pushed fields are fixed when the delivery is scheduled.

Delivery is at least once: a worker that dies after the endpoint answered but before recording it sends again when
its lease ends, with the same ``X-Leadflow-Delivery-Id``, by which receivers deduplicate.

Logs carry the delivery id, account id, attempt, HTTP status and outcome: never the endpoint URL (its query string
may hold credentials), the payload or the secret.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from prometheus_client import Counter
from sqlalchemy.orm import Session

from leadflow.ingest.v1 import events_pb2
from services.common.auth import Principal
from services.common.clock import Clock
from services.common.db import Database
from services.common.errors import FieldViolation, InvalidArgument, NotFound, ViolationCollector
from services.common.events import INGEST_STREAM, LEAD_ACCEPTED
from services.common.ids import new_id
from services.common.messaging import Delivery
from services.common.messaging.waiting import Backoff, wait_for_any
from services.common.paging import PageTokens, filter_binding, resolve_page_size
from services.common.runtime import ConsumerSpec
from services.ingest.adapters.push_repository import ClaimedDelivery, NewDelivery, PushRepository
from services.ingest.adapters.push_sender import HttpPushSender, PushRequest, PushSender
from services.ingest.domain.push import (
    MAX_LEAD_ID,
    STORED_CONTACT_FIELDS,
    AttemptOutcome,
    DeliveryQuery,
    DeliveryStatus,
    OutcomeKind,
    PushDelivery,
    PushRule,
    RetryPolicy,
    SetPushRuleCommand,
    build_body,
    check_account_id,
    next_state,
    select_fields,
    signed_headers,
    validate_rule_command,
)
from services.ingest.domain.timeutil import to_us
from services.ingest.push_converters import accepted_lead_fields

log = logging.getLogger("leadflow.ingest.push")

# The durable consumer that schedules pushes: its own name, so its inbox rows are its own.
PUSH_CONSUMER = "ingest-push"
PUSH_CONSUMER_STREAM = INGEST_STREAM.name
PUSH_CONSUMER_SUBJECTS = (LEAD_ACCEPTED,)


PUSH_SCHEDULED = Counter(
    "leadflow_push_deliveries_scheduled_total", "Push deliveries scheduled for accepted leads."
)
PUSH_ATTEMPTS = Counter(
    "leadflow_push_attempts_total",
    "Push attempts by result: delivered, failed (will retry), gave_up, lease_lost (result not recorded).",
    ["result"],
)

_LIST_METHOD = "ListPushDeliveries"


@dataclass(frozen=True)
class PushConfig:
    allow_http: bool = (
        False  # plain http endpoints (local development and tests only: pushes carry personal data)
    )
    allow_private_networks: bool = False  # endpoints on loopback/private addresses (the same)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    send_timeout: timedelta = timedelta(seconds=10)  # the deadline of one attempt
    lease: timedelta = timedelta(seconds=60)  # how long a claimed delivery is hidden from other workers
    batch: int = 32  # deliveries claimed (and sent concurrently) at a time
    poll_interval: float = 1.0  # longest idle sleep, seconds: how soon a new delivery is noticed
    min_wait: float = 0.05  # shortest idle sleep, seconds

    def __post_init__(self) -> None:
        if self.lease < 2 * self.send_timeout + timedelta(seconds=2):
            raise ValueError(
                "the push lease must outlast twice the send timeout (plus 2 s), or two workers could "
                "send one delivery at once"
            )
        if self.batch < 1 or self.poll_interval <= 0 or not 0 < self.min_wait <= self.poll_interval:
            raise ValueError("push worker needs batch >= 1 and 0 < min_wait <= poll_interval")


def http_sender(config: PushConfig) -> HttpPushSender:
    """The production sender, with the deadline and address policy of ``config``."""
    return HttpPushSender(
        timeout=config.send_timeout.total_seconds(), allow_private_networks=config.allow_private_networks
    )


class PushHandlers:
    def __init__(
        self,
        database: Database,
        repository: PushRepository,
        clock: Clock,
        page_tokens: PageTokens,
        config: PushConfig | None = None,
    ) -> None:
        self._db = database
        self._repo = repository
        self._clock = clock
        self._tokens = page_tokens
        self._config = config or PushConfig()

    # ------------------------------------------------------------------------------------------------ rules

    def set_push_rule(self, principal: Principal, command: SetPushRuleCommand) -> PushRule:
        """Create or replace the account's rule; an empty secret keeps the stored one. Returns the stored rule."""
        tenant = principal.tenant_id
        with self._db.transaction() as session:
            stored = None
            if command.account_id:
                stored = self._repo.get_rule(session, tenant, command.account_id, for_update=True)
            errors = ViolationCollector()
            validate_rule_command(
                command,
                errors,
                allow_http=self._config.allow_http,
                allow_private_networks=self._config.allow_private_networks,
                secret_stored=stored is not None and stored.has_secret,
            )
            errors.raise_if_any()
            rule = PushRule(
                tenant_id=tenant,
                account_id=command.account_id,
                endpoint_url=command.endpoint_url,
                enabled=command.enabled,
                fields=tuple(command.fields),
                secret=command.secret or (stored.secret if stored is not None else ""),
                update_time=self._clock.now(),
                updated_by=principal.subject,
            )
            self._repo.upsert_rule(session, rule)
        log.info("push rule of account %s set (enabled=%s)", rule.account_id, rule.enabled)
        return rule

    def get_push_rule(self, principal: Principal, account_id: str) -> PushRule:
        errors = ViolationCollector()
        check_account_id(errors, "account_id", account_id)
        errors.raise_if_any()
        with self._db.read() as session:
            rule = self._repo.get_rule(session, principal.tenant_id, account_id)
        if rule is None:
            raise NotFound(
                "the account has no push rule",
                reason="PUSH_RULE_NOT_FOUND",
                metadata={"account_id": account_id},
            )
        return rule

    # ------------------------------------------------------------------------------------------------ deliveries

    def list_push_deliveries(
        self, principal: Principal, query: DeliveryQuery
    ) -> tuple[list[PushDelivery], str]:
        """A page of deliveries of a lead and/or an account, newest first; returns them and the next page token."""
        errors = ViolationCollector()
        if not query.lead_id and not query.account_id:
            errors.add("lead_id", "lead_id or account_id is required")
        if len(query.lead_id) > MAX_LEAD_ID:
            errors.add("lead_id", f"must be at most {MAX_LEAD_ID} characters")
        if query.account_id:
            check_account_id(errors, "account_id", query.account_id)
        try:
            status = DeliveryStatus(query.status)
        except ValueError:
            errors.add("status", f"must be a known PushDeliveryStatus value, got {query.status}")
            status = DeliveryStatus.UNSPECIFIED
        errors.raise_if_any()
        size = resolve_page_size(query.page_size)
        binding = filter_binding(
            principal.tenant_id, _LIST_METHOD, query.lead_id, query.account_id, int(status)
        )
        cursor = self._tokens.decode(query.page_token, binding=binding)
        after = _cursor(cursor)
        with self._db.read() as session:
            rows = self._repo.list_deliveries(
                session,
                principal.tenant_id,
                lead_id=query.lead_id,
                account_id=query.account_id,
                statuses=[status] if status else [],
                after=after,
                limit=size + 1,
            )
        page, more = rows[:size], len(rows) > size
        token = ""
        if more:
            last = page[-1]
            token = self._tokens.encode({"c": to_us(last.create_time), "i": last.id}, binding=binding)
        return page, token

    # ------------------------------------------------------------------------------------------------ events

    def on_lead_accepted(self, session: Session, delivery: Delivery) -> None:
        """The EventConsumer handler (consumer ``PUSH_CONSUMER``, subject ``leadflow.lead.v1.accepted``)."""
        event = events_pb2.LeadAccepted.FromString(delivery.data)
        self.schedule_for_accepted_lead(session, event, delivery.event_id or event.event_id)

    def schedule_for_accepted_lead(
        self, session: Session, event: events_pb2.LeadAccepted, event_id: str
    ) -> PushDelivery | None:
        """Create the delivery of an accepted lead in the caller's transaction, when its account has an enabled rule.

        Returns the new delivery; None when there is no enabled rule or the event was scheduled before.
        """
        if not event_id:
            raise ValueError("a lead.accepted event without an event id can't be scheduled exactly once")
        rule = self._repo.get_rule(session, event.tenant_id, event.account_id)
        if rule is None or not rule.enabled:
            return None
        contact = None
        if not rule.fields or any(name in STORED_CONTACT_FIELDS for name in rule.fields):
            # Ingest's own lead, in this same transaction: the contact fields the event does not carry.
            contact = self._repo.lead_contact(session, event.tenant_id, event.lead_id)
            if contact is None:
                log.warning("lead %s is not stored: its contact fields are pushed empty", event.lead_id)
        now = self._clock.now()
        new = NewDelivery(
            id=new_id(),
            tenant_id=event.tenant_id,
            account_id=event.account_id,
            lead_id=event.lead_id,
            event_id=event_id,
            create_time=now,
            payload=select_fields(accepted_lead_fields(event, contact), rule.fields),
        )
        if not self._repo.create_delivery(session, new):
            return None
        PUSH_SCHEDULED.inc()
        log.info("push delivery %s scheduled for account %s", new.id, new.account_id)
        return self._repo.get_delivery(session, new.tenant_id, new.id)


def push_consumer_spec(handlers: PushHandlers) -> ConsumerSpec:
    """The consumer the ingest bootstrap adds to its ``ServiceApp.consumers``."""
    return ConsumerSpec(
        name=PUSH_CONSUMER,
        stream=INGEST_STREAM,
        subjects=list(PUSH_CONSUMER_SUBJECTS),
        handler=handlers.on_lead_accepted,
    )


def _cursor(cursor: dict[str, object] | None) -> tuple[int, str] | None:
    if cursor is None:
        return None
    create_us, last_id = cursor.get("c"), cursor.get("i")
    if not isinstance(create_us, int) or not isinstance(last_id, str):
        raise InvalidArgument(
            FieldViolation("page_token", "is not a valid page token"), reason="INVALID_PAGE_TOKEN"
        )
    return create_us, last_id


class PushWorker:
    """Sends due deliveries until stopped. Run one per replica; replicas share the work through claims."""

    def __init__(
        self,
        database: Database,
        repository: PushRepository,
        sender: PushSender,
        clock: Clock,
        config: PushConfig | None = None,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self._db = database
        self._repo = repository
        self._sender = sender
        self._clock = clock
        self._config = config or PushConfig()
        self._rand = rand
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look for due deliveries now rather than after the idle sleep (call from the worker's event loop)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Claim, send and record until ``stop`` is set; the attempts in hand are finished first."""
        retry = Backoff(initial=0.5, maximum=10.0)
        while not stop.is_set():
            try:
                claimed = await self.run_once()
                if claimed >= self._config.batch:
                    continue  # more may be due right now
                wait = await asyncio.to_thread(self._idle_seconds)
                retry.reset()
            except sa.exc.OperationalError as exc:
                # The database is unavailable: nothing was lost (leases expire), try again later.
                wait = retry.next()
                log.warning(
                    "push worker: database unavailable (%s); retrying in %.1fs", type(exc).__name__, wait
                )
            await wait_for_any(stop, self._wake, timeout=wait)
            self._wake.clear()

    async def run_once(self) -> int:
        """One round: claim a batch of due deliveries, attempt them concurrently, record each result."""
        claimed = await asyncio.to_thread(self._claim)
        if claimed:
            await asyncio.gather(*(self._attempt(item) for item in claimed))
        return len(claimed)

    def _claim(self) -> list[ClaimedDelivery]:
        with self._db.transaction() as session:
            return self._repo.claim_due(
                session, now=self._clock.now(), lease=self._config.lease, limit=self._config.batch
            )

    def _idle_seconds(self) -> float:
        with self._db.read() as session:
            due = self._repo.next_due_time(session)
        if due is None:
            return self._config.poll_interval
        until_due = (due - self._clock.now()).total_seconds()
        return min(self._config.poll_interval, max(self._config.min_wait, until_due))

    async def _attempt(self, item: ClaimedDelivery) -> None:
        rule, delivery = item.rule, item.delivery
        if rule is None or not rule.enabled:
            reason = "push rule deleted" if rule is None else "push rule disabled"
            outcome = AttemptOutcome(OutcomeKind.GIVE_UP, error=reason)
        else:
            body = build_body(
                delivery_id=delivery.id,
                lead_id=delivery.lead_id,
                account_id=delivery.account_id,
                lead=delivery.payload,
            )
            timestamp = int(self._clock.now().timestamp())
            headers = signed_headers(
                delivery_id=delivery.id, secret=rule.secret, timestamp=timestamp, body=body
            )
            outcome = await self._sender.send(PushRequest(url=rule.endpoint_url, body=body, headers=headers))
        try:
            await asyncio.to_thread(self._record, item, outcome)
        except sa.exc.OperationalError as exc:
            # Unrecorded: the delivery becomes due again when its lease ends and is attempted again.
            PUSH_ATTEMPTS.labels(result="lease_lost").inc()
            log.warning(
                "push delivery %s account %s attempt %d: result not recorded (%s)",
                delivery.id,
                delivery.account_id,
                item.attempt,
                type(exc).__name__,
            )

    def _record(self, item: ClaimedDelivery, outcome: AttemptOutcome) -> None:
        delivery = item.delivery
        now = self._clock.now()
        transition = next_state(
            delivery.status,
            outcome,
            attempt=item.attempt,
            first_attempt_time=delivery.first_attempt_time or now,
            now=now,
            policy=self._config.retry,
            rand=self._rand,
        )
        with self._db.transaction() as session:
            recorded = self._repo.record_attempt(session, delivery.id, item.attempt, transition, now)
        if not recorded:
            PUSH_ATTEMPTS.labels(result="lease_lost").inc()
            log.warning(
                "push delivery %s account %s attempt %d: lease lost, result not recorded",
                delivery.id,
                delivery.account_id,
                item.attempt,
            )
            return
        result = {DeliveryStatus.DELIVERED: "delivered", DeliveryStatus.GAVE_UP: "gave_up"}.get(
            transition.status, "failed"
        )
        PUSH_ATTEMPTS.labels(result=result).inc()
        log.log(
            logging.INFO if transition.status != DeliveryStatus.GAVE_UP else logging.WARNING,
            "push delivery %s account %s attempt %d: http %d %s -> %s",
            delivery.id,
            delivery.account_id,
            item.attempt,
            transition.last_http_status,
            transition.last_error or "ok",
            transition.status.name,
            extra={"next_attempt": _iso(transition.next_attempt_time)},
        )


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
