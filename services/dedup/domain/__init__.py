"""The dedup domain: pure Python rules and models (no grpc, sqlalchemy or nats imports).

- ``model``: dimensions, scopes, actions, verdicts, policies, keys and matches;
- ``policy``: update validation with field masks, effective policy of bound accounts, binding refusals;
- ``verdict``: windows, verdict, canonical lead and the fate of each index key;
- ``claims``: claim validation, the idempotency digest, ExplainLead reasons;
- ``ports``: what the handlers need from storage and messaging.
"""
