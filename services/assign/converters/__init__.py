"""Protobuf <-> domain conversions of the assign service, one module per family. None yet."""
