"""The assign service's business metrics (bounded labels only). None yet: the assign issue adds them."""
