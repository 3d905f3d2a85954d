"""Protobuf <-> domain conversions of the refund service, one module per family. None yet."""
