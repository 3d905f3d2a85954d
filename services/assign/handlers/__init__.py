"""Assign use cases, one module per family (see docs/new-service.md). None yet: the assign issue builds them."""
