"""The telephony domain: masked numbers, A-X-B bindings, calls and the true outcome of each call.

Pure Python (standard library only): no grpc, sqlalchemy, nats, prometheus or generated ``_pb2`` imports. Enum values
are the numbers of the protobuf enums of ``leadflow.common.v1`` / ``leadflow.telephony.v1`` so converting is a cast.
Times are timezone-aware ``datetime`` values, normalised to UTC inside the records; durations are ``timedelta``.

Modules, one job each:

* ``outcomes``: the outcome, evidence-source and release-direction enums.
* ``evidence``: one raw piece of evidence (a provider code, SIP status, Q.850 cause, announcement).
* ``codebook``: the mapping tables in ``mappings/*.csv`` (every row cites its source), loaded once.
* ``announcements``: keyword rules over early-media announcement text.
* ``classify``: the outcome of a call from all its evidence, strongest first, and the conflict rule.
* ``provider_times``: how each provider's timestamps say "answered" (Aliyun: release_time > start_time).
* ``call``: the call record and the order-independent merge of carrier events into it.
* ``numbers``, ``binding``, ``selection``, ``quarantine``: the masked-number pool.
* ``callable_hours``: the per-tenant calling window in the lead's time zone (shared with refund).
* ``errors``: the domain's refusals.
"""
