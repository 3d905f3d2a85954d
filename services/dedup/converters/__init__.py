"""Protobuf <-> domain conversions of the dedup service: ``policies`` (policies, history, bindings), ``claims``
(claims, answers, explained keys) and ``events`` (the events dedup publishes). Mechanical only: no rule lives here.
Times and durations go through ``services.common.protoconv`` (out of range: INVALID_ARGUMENT on the field)."""
