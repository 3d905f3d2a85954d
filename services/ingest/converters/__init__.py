"""Protobuf <-> domain conversions of the ingest service, one module per family: ``submit``, ``leads``, ``rules``,
``push``, ``events`` (produced and consumed) and ``dedup`` (the dedup client's messages). Mechanical only: no rule
lives here. Times go through ``services.common.protoconv`` (microseconds; out of range: INVALID_ARGUMENT)."""
