"""Dedup use cases: take a command, use the storage port, return a domain result, record events.

Transport-agnostic and synchronous (the gRPC servicer runs them in a worker thread). Every write use case runs in
one database transaction; a lost race (deadlock, serialization failure, failed compare-and-set) rolls the whole
transaction back and runs it again, a bounded number of times, then answers ABORTED.

Claim algorithm (one transaction per claim, or per chunk of a batch):

1. Reserve the idempotency row ``(tenant, request_id)`` (also unique on ``candidate_lead_id``) with
   INSERT ... ON CONFLICT DO NOTHING. If it exists, the stored answer is returned when the claim is the same
   (same digest), and FAILED_PRECONDITION ``REQUEST_ID_REUSED`` when it differs. On PostgreSQL the insert waits for
   a concurrent owner of the same request id to commit, so two racing retries give one answer.
2. Resolve the effective policy of ``account_id`` (and of ``collect_account_id``): its key space and rules.
3. INSERT every (key space, dimension, keyed hash) of the claim that the policy uses, pointing at the candidate,
   ON CONFLICT DO NOTHING, in canonical order (fewer deadlocks). The unique constraint decides the race: of any
   number of concurrent claims of one value, exactly one inserts it; the others read the winner's row.
4. Judge (``domain.verdict``), then apply: compare-and-set re-pointing of expired keys, inserted keys re-pointed
   to the canonical lead for DUPLICATE, last_seen of live keys, and the answer stored in the idempotency row.
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from services.common.auth import Principal
from services.common.clock import Clock
from services.common.errors import (
    Aborted,
    DomainError,
    FieldViolation,
    InvalidArgument,
    NotFound,
    ViolationCollector,
)
from services.common.ids import new_id
from services.common.paging import PageTokens, filter_binding, resolve_page_size
from services.dedup import metrics
from services.dedup.domain.claims import (
    MAX_BATCH,
    MAX_LEAD_ID_LENGTH,
    MAX_REQUEST_ID_LENGTH,
    Claim,
    ClaimCommand,
    RequestIdReused,
    explain_reason,
    result_from_record,
    result_to_record,
    validate_claim,
)
from services.dedup.domain.model import (
    Binding,
    ClaimResult,
    EffectivePolicy,
    ExplainedKey,
    HistoryEntry,
    KeyOrigin,
    PolicyChange,
    StoredPolicy,
)
from services.dedup.domain.policy import (
    AccountBound,
    PolicyPatch,
    apply_patch,
    check_account_id,
    check_bind,
    check_identifier,
    diff_effective,
    effective_from_source,
    effective_policy,
)
from services.dedup.domain.ports import (
    DedupStore,
    DedupTx,
    KeyRef,
    NewKey,
    TransientConflict,
    iter_chunks,
)
from services.dedup.domain.verdict import FoundKey, judge

log = logging.getLogger("leadflow.dedup")

T = TypeVar("T")

CLAIM = "claim"
FORGET = "forget"


@dataclass(frozen=True)
class HandlerConfig:
    max_attempts: int = 8  # transaction attempts before ABORTED
    batch_chunk: int = 100  # batch items per transaction


class DedupHandlers:
    def __init__(
        self,
        store: DedupStore,
        clock: Clock,
        page_tokens: PageTokens,
        wake: Callable[[], None] = lambda: None,
        config: HandlerConfig | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._tokens = page_tokens
        self._wake = wake
        self._config = config or HandlerConfig()

    # ------------------------------------------------------------------ retries

    def _retrying(self, attempt: Callable[[], T]) -> T:
        last = self._config.max_attempts - 1
        for number in range(self._config.max_attempts):
            try:
                return attempt()
            except TransientConflict:
                if number == last:
                    metrics.TRANSACTIONS_ABORTED.inc()
                    raise Aborted(
                        "the request lost a race with concurrent requests too often; retry it",
                        reason="CONCURRENT_CONFLICT",
                    ) from None
                metrics.TRANSACTION_RETRIES.inc()
                # Jittered exponential backoff capped at 50 ms: the sides of a deadlock must not retry in step.
                time.sleep(random.uniform(0, min(0.002 * (2**number), 0.05)))  # noqa: S311 - jitter only
        raise AssertionError("unreachable")

    # ------------------------------------------------------------------ policies

    def _effective(
        self, tx: DedupTx, tenant: str, account_id: str, cache: dict[str, EffectivePolicy] | None = None
    ) -> EffectivePolicy:
        """The effective policy, read in one statement; ``cache`` memoises it within one transaction (a batch)."""
        if cache is not None and account_id in cache:
            return cache[account_id]
        parent, source = tx.policy_source(tenant, account_id)
        policy = effective_from_source(account_id, parent, source)
        if cache is not None:
            cache[account_id] = policy
        return policy

    def get_policy(self, principal: Principal, account_id: str) -> EffectivePolicy:
        """The effective policy: the account's own, its parent's while bound, or the default (never set)."""
        errors = ViolationCollector()
        check_account_id(account_id, "account_id", errors)
        errors.raise_if_any()
        with self._store.read() as tx:
            return self._effective(tx, principal.tenant_id, account_id)

    def update_policy(self, principal: Principal, patch: PolicyPatch) -> EffectivePolicy:
        """Apply an update (see ``domain.policy``); a bound child is refused (ACCOUNT_BOUND, naming the parent).

        The change, its history entry and the dedup.policy_changed event (listing the children bound to the
        account, whose effective policy changes with it) commit in one transaction; the relay is woken after.
        """
        errors = ViolationCollector()
        check_account_id(patch.account_id, "policy.account_id", errors)
        errors.raise_if_any()
        tenant, account = principal.tenant_id, patch.account_id
        with self._store.write() as tx:
            tx.lock_tenant(tenant)
            binding = tx.get_binding(tenant, account)
            if binding is not None:
                raise AccountBound(account, binding.parent_account_id)
            own = tx.get_policy(tenant, account)
            old = effective_policy(account, own, None, None)
            rules, changed = apply_patch(old.rules, patch)
            if not changed:
                return old
            now = self._clock.now()
            new = EffectivePolicy(
                account_id=account, rules=rules, update_time=now, updated_by=principal.subject
            )
            tx.put_policy(tenant, _stored(new))
            self._record_change(
                tx,
                tenant,
                PolicyChange(
                    account_id=account,
                    actor=principal.subject,
                    change_time=now,
                    changed_fields=changed,
                    old=old,
                    new=new,
                    affected_account_ids=tuple(tx.children_of(tenant, account)),
                ),
                first=own is None,
            )
        self._wake()
        return new

    def _record_change(self, tx: DedupTx, tenant: str, change: PolicyChange, *, first: bool = False) -> None:
        millis = int(change.change_time.timestamp() * 1000)
        tx.add_history(
            tenant,
            HistoryEntry(
                id=new_id(millis),
                account_id=change.account_id,
                actor=change.actor,
                change_time=change.change_time,
                changed_fields=change.changed_fields,
                old=None if first else change.old,
                new=change.new,
            ),
        )
        tx.record_policy_changed(tenant, change, new_id(millis))

    def list_history(
        self, principal: Principal, account_id: str, page_size: int, page_token: str
    ) -> tuple[list[HistoryEntry], str]:
        """Changes of an account's policy (updates, binds, unbinds), newest first."""
        errors = ViolationCollector()
        check_account_id(account_id, "account_id", errors)
        errors.raise_if_any()
        size = resolve_page_size(page_size)
        binding = filter_binding(principal.tenant_id, "history", account_id)
        cursor = self._tokens.decode(page_token, binding=binding)
        after = None
        if cursor is not None:
            after = (datetime.fromisoformat(str(cursor["t"])), str(cursor["id"]))
        with self._store.read() as tx:
            rows = tx.list_history(principal.tenant_id, account_id, after, size + 1)
        token = ""
        if len(rows) > size:
            rows = rows[:size]
            last = rows[-1]
            token = self._tokens.encode({"t": last.change_time.isoformat(), "id": last.id}, binding=binding)
        return rows, token

    # ------------------------------------------------------------------ bindings

    def bind(self, principal: Principal, parent_id: str, child_id: str) -> Binding:
        """Bind a child to a parent: the child inherits the parent's policy (and key space under ACCOUNT_GROUP).

        The child's own policy row is left untouched, so unbinding restores it exactly. Binding the same pair
        again returns the existing binding. Checks and insert run under the tenant's lock row, so two concurrent
        binds cannot build a chain (A under B while B goes under C); the child is also the primary key.
        """
        errors = ViolationCollector()
        check_account_id(parent_id, "parent_account_id", errors)
        check_account_id(child_id, "child_account_id", errors)
        errors.raise_if_any()
        tenant = principal.tenant_id
        with self._store.write() as tx:
            tx.lock_tenant(tenant)
            child_binding = tx.get_binding(tenant, child_id)
            parent_binding = tx.get_binding(tenant, parent_id)
            has_children = bool(tx.children_of(tenant, child_id))
            if check_bind(
                parent_id,
                child_id,
                child_binding=child_binding,
                parent_binding=parent_binding,
                child_has_children=has_children,
            ):
                assert child_binding is not None
                return child_binding
            old = self._effective(tx, tenant, child_id)
            now = self._clock.now()
            binding = Binding(
                parent_account_id=parent_id,
                child_account_id=child_id,
                bind_time=now,
                bound_by=principal.subject,
            )
            if not tx.insert_binding(tenant, binding):
                raise TransientConflict()
            new = self._effective(tx, tenant, child_id)
            self._record_change(
                tx,
                tenant,
                PolicyChange(
                    account_id=child_id,
                    actor=principal.subject,
                    change_time=now,
                    changed_fields=diff_effective(old, new),
                    old=old,
                    new=new,
                ),
            )
        self._wake()
        return binding

    def unbind(self, principal: Principal, child_id: str) -> Binding:
        """Remove a child's binding; it gets back exactly its own pre-binding policy (or the default)."""
        errors = ViolationCollector()
        check_account_id(child_id, "child_account_id", errors)
        errors.raise_if_any()
        tenant = principal.tenant_id
        with self._store.write() as tx:
            tx.lock_tenant(tenant)
            binding = tx.get_binding(tenant, child_id)
            if binding is None:
                raise NotFound(
                    f"account {child_id} is not bound to a parent account",
                    reason="BINDING_NOT_FOUND",
                    metadata={"child_account_id": child_id},
                )
            old = self._effective(tx, tenant, child_id)
            tx.delete_binding(tenant, child_id)
            new = self._effective(tx, tenant, child_id)
            self._record_change(
                tx,
                tenant,
                PolicyChange(
                    account_id=child_id,
                    actor=principal.subject,
                    change_time=self._clock.now(),
                    changed_fields=diff_effective(old, new),
                    old=old,
                    new=new,
                ),
            )
        self._wake()
        return binding

    def list_bindings(
        self, principal: Principal, parent_id: str, page_size: int, page_token: str
    ) -> tuple[list[Binding], str]:
        """Bindings ordered by parent then child account id."""
        errors = ViolationCollector()
        check_account_id(parent_id, "parent_account_id", errors, required=False)
        errors.raise_if_any()
        size = resolve_page_size(page_size)
        binding = filter_binding(principal.tenant_id, "bindings", parent_id)
        cursor = self._tokens.decode(page_token, binding=binding)
        after = (str(cursor["p"]), str(cursor["c"])) if cursor is not None else None
        with self._store.read() as tx:
            rows = tx.list_bindings(principal.tenant_id, parent_id, after, size + 1)
        token = ""
        if len(rows) > size:
            rows = rows[:size]
            token = self._tokens.encode(
                {"p": rows[-1].parent_account_id, "c": rows[-1].child_account_id}, binding=binding
            )
        return rows, token

    # ------------------------------------------------------------------ claims

    def claim(self, principal: Principal, command: ClaimCommand) -> ClaimResult:
        claim = validate_claim(command, self._clock.now())

        def attempt() -> ClaimResult:
            with self._store.write() as tx:
                return self._claim_in(tx, principal.tenant_id, claim)

        result = self._retrying(attempt)
        metrics.CLAIMS.labels(result.verdict.name).inc()
        return result

    def batch_claim(
        self, principal: Principal, commands: Sequence[ClaimCommand | DomainError]
    ) -> list[ClaimResult | DomainError]:
        """Claims in order, each succeeding or failing on its own; later items see earlier ones. An item given as a
        DomainError (the transport could not read it) fails with that error.

        Items are processed in chunks of ``batch_chunk`` per transaction (a lost race retries the chunk).
        """
        if not 1 <= len(commands) <= MAX_BATCH:
            raise InvalidArgument(FieldViolation("requests", f"must hold 1 to {MAX_BATCH} claims"))
        now = self._clock.now()
        results: list[ClaimResult | DomainError | None] = [None] * len(commands)
        valid: list[tuple[int, Claim]] = []
        for index, command in enumerate(commands):
            if isinstance(command, DomainError):
                results[index] = command
                continue
            try:
                valid.append((index, validate_claim(command, now)))
            except DomainError as error:
                results[index] = error
        tenant = principal.tenant_id
        for chunk in iter_chunks(valid, self._config.batch_chunk):

            def attempt(chunk: Sequence[tuple[int, Claim]] = chunk) -> list[ClaimResult | DomainError]:
                out: list[ClaimResult | DomainError] = []
                policies: dict[str, EffectivePolicy] = {}
                with self._store.write() as tx:
                    for _, claim in chunk:
                        try:
                            out.append(self._claim_in(tx, tenant, claim, policies))
                        except DomainError as error:
                            # Raised before the item wrote anything (see _claim_in), so the chunk goes on.
                            out.append(error)
                return out

            for (index, _), outcome in zip(chunk, self._retrying(attempt), strict=True):
                results[index] = outcome
                if isinstance(outcome, ClaimResult):
                    metrics.CLAIMS.labels(outcome.verdict.name).inc()
        return [r for r in results if r is not None]

    def _claim_in(
        self, tx: DedupTx, tenant: str, claim: Claim, policies: dict[str, EffectivePolicy] | None = None
    ) -> ClaimResult:
        """One claim inside a transaction. Domain errors are raised only before the first write of the claim."""
        digest = claim.digest()
        existing = tx.reserve_request(
            tenant, CLAIM, claim.request_id, claim.candidate_lead_id, digest, self._clock.now()
        )
        if existing is not None:
            if existing.kind != CLAIM or existing.digest != digest or existing.response is None:
                field = "request_id" if existing.request_id == claim.request_id else "candidate_lead_id"
                raise RequestIdReused(field)
            return result_from_record(existing.response)

        # The ad account's key spaces, plus the collection account's (see domain.claims and
        # EffectivePolicy.key_spaces); a space shared by both is judged under the ad account's policy.
        own = self._effective(tx, tenant, claim.account_id, policies)
        spaces = dict.fromkeys(own.key_spaces, own)
        if claim.collect_account_id:
            collect = self._effective(tx, tenant, claim.collect_account_id, policies)
            for space in collect.key_spaces:
                spaces.setdefault(space, collect)
        wanted: dict[KeyRef, EffectivePolicy] = {}
        for space, policy in spaces.items():
            for fingerprint in claim.fingerprints:
                if fingerprint.dimension in policy.rules.dimensions:
                    wanted[KeyRef(space, fingerprint.dimension, fingerprint.keyed_hash)] = policy
        refs = sorted(wanted, key=lambda r: (r.scope_key, r.dimension, r.key_hash))
        inserted = (
            tx.insert_keys(
                tenant,
                [
                    NewKey(
                        ref=ref,
                        lead_id=claim.candidate_lead_id,
                        first_seen=claim.submit_time,
                        policy_account_id=wanted[ref].policy_account_id,
                        origin=KeyOrigin.CLAIMED,
                    )
                    for ref in refs
                ],
            )
            if refs
            else {}
        )
        others = [ref for ref in refs if ref not in inserted]
        rows = tx.find_keys(tenant, others) if others else []
        if len(rows) != len(others):
            raise TransientConflict()  # a key vanished between our insert and read (ForgetLead): start over
        found = [
            FoundKey(
                key=row,
                rules=wanted[KeyRef(row.scope_key, row.dimension, row.key_hash)].rules,
                policy_account_id=wanted[
                    KeyRef(row.scope_key, row.dimension, row.key_hash)
                ].policy_account_id,
            )
            for row in rows
            if row.lead_id != claim.candidate_lead_id
        ]
        plan = judge(claim.candidate_lead_id, claim.submit_time, found, own.rules.action)
        for change in plan.repoint:
            if not tx.repoint(tenant, change, claim.submit_time):
                raise TransientConflict()  # another claim re-pointed the key first: re-read and judge again
        if inserted and plan.target_lead_id != claim.candidate_lead_id:
            tx.point_keys(
                tenant,
                sorted(inserted.values()),
                plan.target_lead_id,
                plan.inserted_origin,
                claim.candidate_lead_id,
            )
        if plan.touch:
            tx.touch_keys(tenant, sorted(plan.touch), claim.submit_time)
        tx.save_response(tenant, claim.request_id, result_to_record(plan.result))
        return plan.result

    # ------------------------------------------------------------------ explain and forget

    def explain(self, principal: Principal, lead_id: str) -> list[ExplainedKey]:
        """The keys pointing at a lead, by dimension then first_seen; NOT_FOUND for a lead the tenant never
        claimed (another tenant's leads included)."""
        _check_lead_id(lead_id)
        tenant = principal.tenant_id
        with self._store.read() as tx:
            keys = tx.keys_of_lead(tenant, lead_id)
            if not keys and not tx.lead_known(tenant, lead_id):
                raise _lead_not_found(lead_id)
        keys.sort(key=lambda k: (k.dimension, k.first_seen, k.scope_key, k.key_hash))
        return [
            ExplainedKey(
                dimension=k.dimension,
                key_hash_prefix=k.key_hash.hex()[:8],
                scope_account_id=k.scope_key,
                first_seen=k.first_seen,
                last_seen=k.last_seen,
                reason=explain_reason(k.origin, k.origin_lead_id),
            )
            for k in keys
        ]

    def forget(self, principal: Principal, lead_id: str, request_id: str) -> int:
        """Remove every key pointing at a lead (erasure, retention): a later submission with the same values is NEW.

        With a request id, a retry answers the first count. Stored claim answers keep only lead ids and times.
        """
        errors = ViolationCollector()
        check_identifier(lead_id, "lead_id", errors, MAX_LEAD_ID_LENGTH)
        check_identifier(request_id, "request_id", errors, MAX_REQUEST_ID_LENGTH, required=False)
        errors.raise_if_any()
        tenant = principal.tenant_id
        digest = hashlib.sha256(b"forget\x00" + lead_id.encode()).digest()

        def attempt() -> int:
            with self._store.write() as tx:
                if request_id:
                    existing = tx.reserve_request(tenant, FORGET, request_id, None, digest, self._clock.now())
                    if existing is not None:
                        if existing.kind != FORGET or existing.digest != digest or existing.response is None:
                            raise RequestIdReused("request_id")
                        return int(existing.response["removed_count"])
                removed = tx.delete_keys_of_lead(tenant, lead_id)
                if removed == 0 and not tx.lead_known(tenant, lead_id):
                    raise _lead_not_found(lead_id)
                if request_id:
                    tx.save_response(tenant, request_id, {"removed_count": removed})
                return removed

        return self._retrying(attempt)


def _check_lead_id(lead_id: str) -> None:
    errors = ViolationCollector()
    check_identifier(lead_id, "lead_id", errors, MAX_LEAD_ID_LENGTH)
    errors.raise_if_any()


def _lead_not_found(lead_id: str) -> NotFound:
    return NotFound(
        f"lead {lead_id} is not known to dedup", reason="LEAD_NOT_FOUND", metadata={"lead_id": lead_id}
    )


def _stored(policy: EffectivePolicy) -> StoredPolicy:
    return StoredPolicy(
        account_id=policy.account_id,
        rules=policy.rules,
        update_time=policy.update_time,
        updated_by=policy.updated_by,
    )
