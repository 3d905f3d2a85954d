"""Protobuf <-> domain conversions of the telephony service, one module per family. None yet."""
