"""The telephony service's business metrics (bounded labels only). None yet: the telephony issue adds them."""
