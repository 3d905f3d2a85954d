"""Ingest use cases, one module per family: ``submit`` (SubmitLead, BatchSubmitLeads, ImportLeads), ``leads``
(reading leads and submissions), ``rules`` (blocklists and settings), ``events`` (what other services' events change)
and ``push`` (push rules, scheduling and delivering pushes). Each takes commands, uses the ports of
``domain.ports`` (the unit of work through ``Transactions``, the dedup service, the push sender) and returns
domain results."""
