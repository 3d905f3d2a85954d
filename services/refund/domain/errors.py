"""The refund domain's errors. Plain Python: ``services.common.grpc_errors`` maps their base classes to gRPC status
codes in one place; ``reason`` becomes ``google.rpc.ErrorInfo.reason``. Messages carry ids, never personal data.
"""

from __future__ import annotations

from services.common.errors import AlreadyExists, FailedPrecondition


class CaseNotRefundable(FailedPrecondition):
    """The case's state does not allow this refund (for example a PENDING case without an administrator, or a
    NOT_REFUNDABLE case outside an approved appeal)."""

    reason = "CASE_NOT_REFUNDABLE"


class AlreadyRefunded(AlreadyExists):
    """The charge was refunded already: one refund per charge, ever."""

    reason = "ALREADY_REFUNDED"


class RefundsExceedCharges(FailedPrecondition):
    """The refund would make the lead's refunds exceed its charges in that currency."""

    reason = "REFUNDS_EXCEED_CHARGES"


class RequestIdReused(FailedPrecondition):
    """An idempotency key (request_id) was sent again with different content (AIP-155)."""

    reason = "REQUEST_ID_REUSED"


class CaseNotAppealable(FailedPrecondition):
    """Only a NOT_REFUNDABLE or EXPIRED case can be appealed."""

    reason = "CASE_NOT_APPEALABLE"


class AppealPending(AlreadyExists):
    """The case already has an appeal waiting for a decision."""

    reason = "APPEAL_PENDING"


class AppealAlreadyDecided(FailedPrecondition):
    """The appeal was decided already, differently from this request."""

    reason = "APPEAL_ALREADY_DECIDED"


class LedgerInvariantError(Exception):
    """A ledger posting that would break double entry (unbalanced, non-positive, reversing twice, ...).

    Not a DomainError on purpose: no caller input can cause it, so it is a bug and must surface as INTERNAL.
    """
