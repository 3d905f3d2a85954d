"""The assign domain: pure Python rules and models (no grpc, sqlalchemy or nats). Built in the assign issue."""
