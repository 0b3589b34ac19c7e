"""Family 7: schema consistency (CVX701-CVX712)."""
