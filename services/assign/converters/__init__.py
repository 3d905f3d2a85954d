"""Protobuf <-> domain conversions of the assign service, one module per family: ``values`` (regions, windows,
working hours), ``agents`` (agents and teams), ``policies``, ``assignments`` (assignments and the pool),
``followups``, ``tags``, and ``events`` (the events assign publishes and the ones it consumes). Mechanical only:
no rule lives here. Times and durations go through ``services.common.protoconv`` (out of range: INVALID_ARGUMENT
on the field)."""
