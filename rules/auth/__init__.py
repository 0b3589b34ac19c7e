"""Family 4: auth and access control (CVX401-CVX413)."""
