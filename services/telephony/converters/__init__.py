"""Protobuf <-> domain conversions of the telephony service, one module per family, plus ``events`` (the events
telephony produces and consumes)."""
