"""Refund use cases, one module per family (see docs/new-service.md). None yet: the refund issue builds them."""
