"""Push delivery use cases (线索推送, 回传): push rules, scheduling one push per accepted lead and per status change,
and delivering them.

- ``PushHandlers.set_push_rule`` / ``get_push_rule`` / ``list_push_deliveries``: the three RPCs.
- ``PushHandlers.schedule_accepted(uow, events)``: run by the submission's write transaction (``handlers.submit``)
  for the leads it accepted, so a lead and its push commit together. Per event, ``schedule``: one PENDING delivery
  when the lead's account has an enabled rule pushing accepted leads (read once per account and transaction), with
  the selected fields taken from the ``lead.accepted`` message and, for the contact fields it does not carry (name,
  WeChat id, e-mail, IP, device id), from ingest's own lead in the same transaction. The delivery is keyed by the
  event's id, unique, so an event is scheduled at most once.
- ``PushHandlers.schedule(uow, accepted)``: also run by ingest's consumer of its own ``lead.accepted``
  (``consumers.PUSH_CONSUMER``), kept for the events older versions recorded without scheduling their push; an
  event this version recorded carries a header saying it was scheduled, and the consumer acknowledges it untouched.
- ``PushHandlers.schedule_status_change(uow, change)``: run by the consumer of assign's ``lead.status_changed``
  after the lead's status changed, in the same inbox transaction: one delivery of the change (no personal data) when
  the account's rule pushes status changes.
- ``PushDispatch``: what the push worker (``workers.py``) does each round: lease due deliveries (safe with several
  replicas, see ``adapters/db/push.py``), POST each one signed through the ``PushSender`` port, record the result.

The rule is read again at every attempt: a changed endpoint URL or secret applies to pending retries, a disabled
or deleted rule ends them (GAVE_UP). The pushed fields are fixed when the delivery is scheduled. Delivery is at least
once: a worker that dies after the endpoint answered but before recording it sends again when its lease ends, with
the same ``X-Leadflow-Delivery-Id``, by which receivers deduplicate.

Logs carry the delivery id, account id, attempt, HTTP status and outcome: never the endpoint URL (its query string
may hold credentials), the payload or the secret.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from services.common.auth import Principal
from services.common.clock import Clock
from services.common.errors import NotFound, ViolationCollector
from services.common.ids import new_id
from services.common.paging import Page, PageTokens, filter_binding, next_page, read_cursor, resolve_page_size
from services.common.timeconv import to_us
from services.common.uow import Transactions
from services.common.validation import check_account_id
from services.ingest.domain.events import LeadAccepted, LeadStatusChanged
from services.ingest.domain.ports import IngestUnitOfWork, PushSender
from services.ingest.domain.push import (
    MAX_LEAD_ID,
    STORED_CONTACT_FIELDS,
    AcceptedLead,
    AttemptOutcome,
    ClaimedDelivery,
    DeliveryQuery,
    DeliveryStatus,
    NewDelivery,
    OutcomeKind,
    PushDelivery,
    PushEventType,
    PushRequest,
    PushRule,
    RetryPolicy,
    SetPushRuleCommand,
    Transition,
    build_body,
    next_state,
    select_fields,
    signed_headers,
    status_change_payload,
    validate_rule_command,
    with_stored_contact,
)

log = logging.getLogger("leadflow.ingest.push")

_LIST_METHOD = "ListPushDeliveries"


@dataclass(frozen=True)
class EndpointPolicy:
    """Which endpoints a rule may name. Both off in production: pushes carry personal data, and private
    addresses open the door to server-side request forgery."""

    allow_http: bool = False
    allow_private_networks: bool = False


@dataclass(frozen=True)
class AttemptResult:
    """One delivery attempt: the state it moved the delivery to, or None when its result could not be recorded
    (the lease ran out and another attempt began)."""

    delivery: PushDelivery
    attempt: int
    transition: Transition | None


class PushHandlers:
    def __init__(
        self,
        transactions: Transactions[IngestUnitOfWork],
        clock: Clock,
        page_tokens: PageTokens,
        endpoints: EndpointPolicy | None = None,
        describe_accepted: Callable[[LeadAccepted], AcceptedLead] | None = None,
    ) -> None:
        """``describe_accepted``: the pushable fields of an accepted lead, as its ``lead.accepted`` message carries
        them (``converters.push.accepted_lead_of``); required by ``schedule_accepted``."""
        self._tx = transactions
        self._clock = clock
        self._tokens = page_tokens
        self._endpoints = endpoints or EndpointPolicy()
        self._describe_accepted = describe_accepted

    # ------------------------------------------------------------------------------------------------ rules

    async def set_push_rule(self, principal: Principal, command: SetPushRuleCommand) -> PushRule:
        """Create or replace the account's rule; an empty secret keeps the stored one. Returns the stored rule."""
        tenant, now = principal.tenant_id, self._clock.now()

        def store(uow: IngestUnitOfWork) -> PushRule:
            stored = (
                uow.push.get_rule(tenant, command.account_id, for_update=True) if command.account_id else None
            )
            errors = ViolationCollector()
            validate_rule_command(
                command,
                errors,
                allow_http=self._endpoints.allow_http,
                allow_private_networks=self._endpoints.allow_private_networks,
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
                update_time=now,
                updated_by=principal.subject,
                event_types=command.stored_event_types(),
            )
            uow.push.upsert_rule(rule)
            return rule

        rule = await self._tx.write(store)
        log.info("push rule of account %s set (enabled=%s)", rule.account_id, rule.enabled)
        return rule

    async def get_push_rule(self, principal: Principal, account_id: str) -> PushRule:
        errors = ViolationCollector()
        check_account_id(errors, "account_id", account_id)
        errors.raise_if_any()
        rule = await self._tx.read(lambda uow: uow.push.get_rule(principal.tenant_id, account_id))
        if rule is None:
            raise NotFound(
                "the account has no push rule",
                reason="PUSH_RULE_NOT_FOUND",
                metadata={"account_id": account_id},
            )
        return rule

    # ------------------------------------------------------------------------------------------------ deliveries

    async def list_push_deliveries(self, principal: Principal, query: DeliveryQuery) -> Page[PushDelivery]:
        """A page of deliveries of a lead and/or an account, newest first."""
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
        tenant = principal.tenant_id
        binding = filter_binding(tenant, _LIST_METHOD, query.lead_id, query.account_id, int(status))
        after = read_cursor(self._tokens.decode(query.page_token, binding=binding), ("c", int), ("i", str))
        found = await self._tx.read(
            lambda uow: uow.push.list_deliveries(
                tenant,
                lead_id=query.lead_id,
                account_id=query.account_id,
                statuses=[status] if status else [],
                after=after,  # type: ignore[arg-type]
                limit=size + 1,
            )
        )
        return next_page(
            found, size, self._tokens, binding, lambda last: {"c": to_us(last.create_time), "i": last.id}
        )

    # ------------------------------------------------------------------------------------------------ events

    def rule_pushing(
        self, uow: IngestUnitOfWork, tenant_id: str, account_id: str, event_type: PushEventType
    ) -> PushRule | None:
        """The account's rule when it is enabled and pushes ``event_type``; None otherwise (most accounts)."""
        rule = uow.push.get_rule(tenant_id, account_id)
        return rule if rule is not None and rule.pushes(event_type) else None

    def schedule_accepted(self, uow: IngestUnitOfWork, events: Sequence[LeadAccepted]) -> int:
        """Schedule the pushes of the leads the caller's transaction accepted (``events``, as recorded in its
        outbox); the number of deliveries created. Accounts without an enabled rule pushing accepted leads (most)
        cost one read of their rule per transaction and nothing else: their leads are never described."""
        describe = self._describe_accepted
        if describe is None:
            raise RuntimeError("PushHandlers was built without describe_accepted")
        scheduled = 0
        for event in events:
            rule = self.rule_pushing(
                uow, event.lead.tenant_id, event.submission.account_id, PushEventType.LEAD_ACCEPTED
            )
            new = None if rule is None else self._accepted_delivery(uow, describe(event), rule)
            if new is not None and uow.push.create_delivery(new):
                _log_scheduled(new)
                scheduled += 1
        return scheduled

    def schedule(
        self, uow: IngestUnitOfWork, accepted: AcceptedLead, *, rule: PushRule | None = None
    ) -> PushDelivery | None:
        """Create the delivery of an accepted lead in the caller's transaction, when its account has an enabled rule.
        ``rule``: that rule, when the caller read it already (``rule_pushing``, in the same transaction).

        Returns the new delivery; None when there is no enabled rule, the lead was erased, or the event was
        scheduled before."""
        if not accepted.event_id:
            raise ValueError("a lead.accepted event without an event id can't be scheduled exactly once")
        if rule is None:
            rule = self.rule_pushing(
                uow, accepted.tenant_id, accepted.account_id, PushEventType.LEAD_ACCEPTED
            )
        if rule is None:
            return None
        new = self._accepted_delivery(uow, accepted, rule)
        return None if new is None else self._create(uow, new)

    def _accepted_delivery(
        self, uow: IngestUnitOfWork, accepted: AcceptedLead, rule: PushRule
    ) -> NewDelivery | None:
        """The delivery of an accepted lead under ``rule``, its fields read as ``schedule`` says; None when the lead
        was erased."""
        if uow.leads.is_erased(accepted.tenant_id, accepted.lead_id):
            return None  # erased before its push was scheduled: nothing of it may leave any more
        fields = dict(accepted.fields)
        if not rule.fields or any(name in STORED_CONTACT_FIELDS for name in rule.fields):
            # Ingest's own lead, in this same transaction: the contact fields the event does not carry.
            contact = uow.leads.contact_fields(accepted.tenant_id, accepted.lead_id, STORED_CONTACT_FIELDS)
            if contact is None:
                log.warning("lead %s is not stored: its contact fields are pushed empty", accepted.lead_id)
            fields = with_stored_contact(fields, contact)
        return NewDelivery(
            id=new_id(),
            tenant_id=accepted.tenant_id,
            account_id=accepted.account_id,
            lead_id=accepted.lead_id,
            event_id=accepted.event_id,
            create_time=self._clock.now(),
            payload=select_fields(fields, rule.fields),
        )

    def schedule_status_change(self, uow: IngestUnitOfWork, change: LeadStatusChanged) -> PushDelivery | None:
        """Create the delivery of a lead's status change (回传) in the caller's transaction, when the account's rule
        is on and pushes status changes. Returns the new delivery; None otherwise or when scheduled before."""
        if not change.event_id:
            raise ValueError(
                "a lead.status_changed event without an event id can't be scheduled exactly once"
            )
        rule = uow.push.get_rule(change.tenant_id, change.account_id)
        if rule is None or not rule.pushes(PushEventType.LEAD_STATUS_CHANGED):
            return None
        new = NewDelivery(
            id=new_id(),
            tenant_id=change.tenant_id,
            account_id=change.account_id,
            lead_id=change.lead_id,
            event_id=change.event_id,
            create_time=self._clock.now(),
            payload=status_change_payload(change),
            event_type=PushEventType.LEAD_STATUS_CHANGED,
        )
        return self._create(uow, new)

    def _create(self, uow: IngestUnitOfWork, new: NewDelivery) -> PushDelivery | None:
        if not uow.push.create_delivery(new):
            return None
        _log_scheduled(new)
        return uow.push.get_delivery(new.tenant_id, new.id)


def _log_scheduled(new: NewDelivery) -> None:
    log.info("push delivery %s (%s) scheduled for account %s", new.id, new.event_type, new.account_id)


@dataclass(frozen=True)
class DispatchConfig:
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    lease: timedelta = timedelta(seconds=60)  # how long a claimed delivery is hidden from other workers
    batch: int = 32  # deliveries claimed (and sent concurrently) at a time
    send_timeout: timedelta = timedelta(seconds=10)  # the deadline of one attempt (the sender's)

    def __post_init__(self) -> None:
        if self.lease < 2 * self.send_timeout + timedelta(seconds=2):
            raise ValueError(
                "the push lease must outlast twice the send timeout (plus 2 s), or two workers could "
                "send one delivery at once"
            )
        if self.batch < 1:
            raise ValueError("push dispatch needs batch >= 1")


class PushDispatch:
    """Leases due deliveries and attempts them; run by every replica's push worker, which share the work."""

    def __init__(
        self,
        transactions: Transactions[IngestUnitOfWork],
        sender: PushSender,
        clock: Clock,
        config: DispatchConfig | None = None,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self._tx = transactions
        self._sender = sender
        self._clock = clock
        self.config = config or DispatchConfig()
        self._rand = rand

    def now(self) -> datetime:
        return self._clock.now()

    async def claim_due(self) -> list[ClaimedDelivery]:
        now = self._clock.now()
        return await self._tx.write(lambda uow: uow.push.claim_due(now, self.config.lease, self.config.batch))

    async def next_due_time(self) -> datetime | None:
        return await self._tx.read(lambda uow: uow.push.next_due_time())

    async def attempt(self, item: ClaimedDelivery) -> AttemptResult:
        """POST one claimed delivery (or give up when its rule is gone or disabled) and record the result."""
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
                event_type=delivery.event_type,
            )
            timestamp = int(self._clock.now().timestamp())
            headers = signed_headers(
                delivery_id=delivery.id, secret=rule.secret, timestamp=timestamp, body=body
            )
            outcome = await self._sender.send(PushRequest(url=rule.endpoint_url, body=body, headers=headers))
        now = self._clock.now()
        transition = next_state(
            delivery.status,
            outcome,
            attempt=item.attempt,
            first_attempt_time=delivery.first_attempt_time or now,
            now=now,
            policy=self.config.retry,
            rand=self._rand,
        )
        recorded = await self._tx.write(
            lambda uow: uow.push.record_attempt(delivery.id, item.attempt, transition, now)
        )
        return AttemptResult(delivery, item.attempt, transition if recorded else None)
