"""The refund domain: pure Python rules and models (no grpc, sqlalchemy, nats, prometheus or generated code).

Modules, each with one job:

- ``money``: integer amounts in fen with their currency.
- ``callable_hours``: the callable window learned from telephony, and "callable time" arithmetic.
- ``calls``: call records as refund sees them, and how corrected reports of one call replace each other.
- ``rules``: an account's refund rules, their defaults and the published platform rules they come from.
- ``attempts``: which calls count as attempts, and why the others do not.
- ``cases``: charges, cases, their states and reasons, and duplicate-charge detection.
- ``evaluation``: ``evaluate()`` — state, evidence, what is missing and by when, settle time, next timer.
- ``wording``: the English text of evidence and requirements.
- ``refunds``, ``idempotency``, ``appeals``: paying exactly once, and the appeal path into it.
- ``ledger``, ``statement``: the double-entry ledger and the monthly statement derived from it.
- ``errors``: the refund domain's errors (plain Python; mapped to gRPC status in one place).
"""
