"""The refund service's business metrics (bounded labels only). None yet: the refund issue adds them."""
