"""Claim use cases: ClaimLead, BatchClaimLeads, and ExplainLead (why keys point at a lead).

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

A lost race (deadlock, serialization failure, failed compare-and-set) raises ``TransientConflict``: the unit of work
runs the whole transaction again, a bounded number of times, then answers ABORTED.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from services.common.auth import Principal
from services.common.clock import Clock
from services.common.errors import DomainError, FieldViolation, InvalidArgument
from services.common.iterutil import chunks
from services.common.uow import Transactions, TransientConflict
from services.dedup.domain.claims import (
    MAX_BATCH,
    Claim,
    ClaimCommand,
    LeadNotFound,
    RequestIdReused,
    check_lead_id,
    explain_reason,
    result_from_record,
    result_to_record,
    validate_claim,
)
from services.dedup.domain.model import ClaimResult, EffectivePolicy, ExplainedKey, KeyOrigin
from services.dedup.domain.ports import AnsweredRequest, DedupUnitOfWork, KeyRef, NewKey
from services.dedup.domain.verdict import FoundKey, judge
from services.dedup.handlers.policies import effective_of

CLAIM = "claim"


@dataclass(frozen=True)
class ClaimConfig:
    batch_chunk: int = 100  # batch items per transaction


class ClaimHandlers:
    def __init__(
        self, transactions: Transactions[DedupUnitOfWork], clock: Clock, config: ClaimConfig | None = None
    ) -> None:
        self._tx = transactions
        self._clock = clock
        self._config = config or ClaimConfig()

    async def claim(self, principal: Principal, command: ClaimCommand) -> ClaimResult:
        claim = validate_claim(command, self._clock.now())
        return await self._tx.write(lambda uow: self._claim_in(uow, principal.tenant_id, claim))

    async def batch_claim(
        self, principal: Principal, commands: Sequence[ClaimCommand | DomainError]
    ) -> list[ClaimResult | DomainError]:
        """Claims in order, each succeeding or failing on its own; later items see earlier ones. An item given as a
        DomainError (the transport could not read it) fails with that error.

        Items are processed in chunks of ``batch_chunk`` per transaction (a lost race runs the chunk again).
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
        for chunk in chunks(valid, self._config.batch_chunk):

            def claim_chunk(
                uow: DedupUnitOfWork, chunk: Sequence[tuple[int, Claim]] = chunk
            ) -> list[ClaimResult | DomainError]:
                return self._claim_chunk(uow, tenant, chunk)

            for (index, _), outcome in zip(chunk, await self._tx.write(claim_chunk), strict=True):
                results[index] = outcome
        return [r for r in results if r is not None]

    def _claim_in(
        self,
        uow: DedupUnitOfWork,
        tenant: str,
        claim: Claim,
        policies: dict[str, EffectivePolicy] | None = None,
    ) -> ClaimResult:
        """One claim inside a transaction. Domain errors are raised only before the first write of the claim."""
        digest = claim.digest()
        existing = uow.requests.reserve(
            tenant, CLAIM, claim.request_id, claim.candidate_lead_id, digest, self._clock.now()
        )
        if existing is not None:
            if existing.kind != CLAIM or existing.digest != digest or existing.response is None:
                field = "request_id" if existing.request_id == claim.request_id else "candidate_lead_id"
                raise RequestIdReused(field)
            return result_from_record(existing.response)

        own, wanted, new_keys = self._keys_of(uow, tenant, claim, policies)
        refs = [key.ref for key in new_keys]
        inserted = uow.keys.insert(tenant, new_keys) if refs else {}
        others = [ref for ref in refs if ref not in inserted]
        rows = uow.keys.find(tenant, others) if others else []
        if len(rows) != len(others):
            raise TransientConflict()  # a key vanished between our insert and read (ForgetLead): start over
        found = []
        for row in rows:
            if row.lead_id == claim.candidate_lead_id:
                continue
            policy = wanted[KeyRef(row.scope_key, row.dimension, row.key_hash)]
            found.append(FoundKey(key=row, rules=policy.rules, policy_account_id=policy.policy_account_id))
        plan = judge(claim.candidate_lead_id, claim.submit_time, found, own.rules.action)
        for change in plan.repoint:
            if not uow.keys.repoint(tenant, change, claim.submit_time):
                raise TransientConflict()  # another claim re-pointed the key first: re-read and judge again
        if inserted and plan.target_lead_id != claim.candidate_lead_id:
            uow.keys.point(
                tenant,
                sorted(inserted.values()),
                plan.target_lead_id,
                plan.inserted_origin,
                claim.candidate_lead_id,
            )
        if plan.touch:
            uow.keys.touch(tenant, sorted(plan.touch), claim.submit_time)
        uow.requests.save_response(tenant, claim.request_id, result_to_record(plan.result))
        return plan.result

    def _keys_of(
        self,
        uow: DedupUnitOfWork,
        tenant: str,
        claim: Claim,
        policies: dict[str, EffectivePolicy] | None,
    ) -> tuple[EffectivePolicy, dict[KeyRef, EffectivePolicy], list[NewKey]]:
        """The claim's account policy, the policy of each key it would claim, and those keys in canonical order."""
        # The ad account's key spaces, plus the collection account's (see domain.claims and
        # EffectivePolicy.key_spaces); a space shared by both is judged under the ad account's policy.
        own = effective_of(uow, tenant, claim.account_id, policies)
        spaces = dict.fromkeys(own.key_spaces, own)
        if claim.collect_account_id:
            collect = effective_of(uow, tenant, claim.collect_account_id, policies)
            for space in collect.key_spaces:
                spaces.setdefault(space, collect)
        wanted: dict[KeyRef, EffectivePolicy] = {}
        for space, policy in spaces.items():
            for fingerprint in claim.fingerprints:
                if fingerprint.dimension in policy.rules.dimensions:
                    wanted[KeyRef(space, fingerprint.dimension, fingerprint.keyed_hash)] = policy
        refs = sorted(wanted, key=lambda r: (r.scope_key, r.dimension, r.key_hash))
        new_keys = [
            NewKey(
                ref=ref,
                lead_id=claim.candidate_lead_id,
                first_seen=claim.submit_time,
                policy_account_id=wanted[ref].policy_account_id,
                origin=KeyOrigin.CLAIMED,
            )
            for ref in refs
        ]
        return own, wanted, new_keys

    def _claim_chunk(
        self, uow: DedupUnitOfWork, tenant: str, chunk: Sequence[tuple[int, Claim]]
    ) -> list[ClaimResult | DomainError]:
        """The claims of one chunk, in order, as if claimed one by one in this transaction.

        Most claims of a batch are new people: their request id and candidate are unused, and none of their keys
        is in the index or wanted by another claim of the chunk. Those are found with one read per table, decided
        in memory (NEW, nothing to re-point or touch) and written in bulk at the end with their answers. Nothing
        else in the chunk reads or writes what they write, so writing them last changes no other claim's outcome.
        Every other claim (a retry, a duplicate, keys shared within the chunk) runs the one-by-one algorithm.
        A concurrent writer that takes one of the bulk rows first makes the bulk insert come up short: the chunk
        runs again (TransientConflict), and its claims then see that row.
        """
        policies: dict[str, EffectivePolicy] = {}
        fresh = self._fresh_claims(uow, tenant, chunk, policies)
        now = self._clock.now()
        out: list[ClaimResult | DomainError] = []
        answered: list[AnsweredRequest] = []
        keys: list[NewKey] = []
        for position, (_, claim) in enumerate(chunk):
            decided = fresh.get(position)
            if decided is None:
                try:
                    out.append(self._claim_in(uow, tenant, claim, policies))
                except DomainError as error:
                    # Raised before the item wrote anything (see _claim_in), so the chunk goes on.
                    out.append(error)
                continue
            result, new_keys = decided
            answered.append(
                AnsweredRequest(
                    kind=CLAIM,
                    request_id=claim.request_id,
                    candidate_lead_id=claim.candidate_lead_id,
                    digest=claim.digest(),
                    response=result_to_record(result),
                    created=now,
                )
            )
            keys.extend(new_keys)
            out.append(result)
        if uow.requests.insert_answered(tenant, answered) != len(answered):
            raise TransientConflict()  # a concurrent claim took one of these request ids: run the chunk again
        if uow.keys.insert_new(tenant, keys) != len(keys):
            raise TransientConflict()  # a concurrent claim inserted one of these keys first
        return out

    def _fresh_claims(
        self,
        uow: DedupUnitOfWork,
        tenant: str,
        chunk: Sequence[tuple[int, Claim]],
        policies: dict[str, EffectivePolicy],
    ) -> dict[int, tuple[ClaimResult, list[NewKey]]]:
        """The chunk positions whose claims are decided in memory (see _claim_chunk), with answer and keys."""
        claims = [claim for _, claim in chunk]
        request_uses = Counter(claim.request_id for claim in claims)
        candidate_uses = Counter(claim.candidate_lead_id for claim in claims)
        taken_requests, taken_candidates = uow.requests.taken(
            tenant, list(request_uses), list(candidate_uses)
        )
        candidates: dict[int, tuple[EffectivePolicy, list[NewKey]]] = {}
        ref_uses: Counter[KeyRef] = Counter()
        for position, claim in enumerate(claims):
            own, _, new_keys = self._keys_of(uow, tenant, claim, policies)
            ref_uses.update(key.ref for key in new_keys)
            if (
                request_uses[claim.request_id] == 1
                and candidate_uses[claim.candidate_lead_id] == 1
                and claim.request_id not in taken_requests
                and claim.candidate_lead_id not in taken_candidates
            ):
                candidates[position] = (own, new_keys)
        indexed = uow.keys.existing(
            tenant, [key.ref for _, new_keys in candidates.values() for key in new_keys]
        )
        fresh: dict[int, tuple[ClaimResult, list[NewKey]]] = {}
        for position, (own, new_keys) in candidates.items():
            if any(ref_uses[key.ref] != 1 or key.ref in indexed for key in new_keys):
                continue
            claim = claims[position]
            plan = judge(claim.candidate_lead_id, claim.submit_time, [], own.rules.action)
            if plan.repoint or plan.touch or plan.target_lead_id != claim.candidate_lead_id:
                continue  # not what a claim without matches decides: leave it to the one-by-one path
            fresh[position] = (plan.result, new_keys)
        return fresh

    async def explain(self, principal: Principal, lead_id: str) -> list[ExplainedKey]:
        """The keys pointing at a lead, by dimension then first_seen; NOT_FOUND for a lead the tenant never
        claimed (another tenant's leads included)."""
        check_lead_id(lead_id)
        tenant = principal.tenant_id

        def keys_of(uow: DedupUnitOfWork) -> list[ExplainedKey]:
            keys = uow.keys.of_lead(tenant, lead_id)
            if not keys and not uow.requests.lead_known(tenant, lead_id):
                raise LeadNotFound(lead_id)
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

        return await self._tx.read(keys_of)
