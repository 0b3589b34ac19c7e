"""Family 2: indexes and query performance (CVX201-CVX212)."""
