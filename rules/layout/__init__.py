"""Family 8: HTTP router, crons and project layout (CVX801-CVX805)."""
