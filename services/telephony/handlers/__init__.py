"""Telephony use cases, one module per family (see docs/new-service.md). None yet: the telephony issue builds them."""
