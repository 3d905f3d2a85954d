"""The end-to-end benchmark of `make bench` (issues 11 and 14): the whole stack as deployed, services in processes
of their own with their own nats-server, driven through ingest's public API until ``lead.assigned`` is seen on the
bus.

- ``procs``: CPU time and RSS of a process, from /proc;
- ``scrape``: the counters a service exports on /metrics (statements, transactions);
- ``stack``: nats-server and the five services started as `leadflow up` starts them, on SQLite or PostgreSQL;
- ``ceilings``: raw gRPC unary echo, raw client-streaming, raw JetStream publish_async, in the same run;
- ``leads``: the load (SubmitLead closed loop and at fixed offered rates, BatchSubmitLeads) and the watch on
  ``lead.assigned``;
- ``window``: what the processes spent over one measured window (CPU ms, statements, transactions);
- ``run``: one backend's whole run, as a JSON-ready dict.
"""
