"""Family 5: validators (CVX501-CVX511)."""
