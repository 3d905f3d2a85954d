"""Dedup use cases, one module per family: ``policies`` (policies, bindings, history), ``claims`` (ClaimLead,
BatchClaimLeads, ExplainLead) and ``erasure`` (ForgetLead). Each takes commands, uses the unit-of-work port
(``domain.ports``) through ``Transactions``, and returns domain results."""
