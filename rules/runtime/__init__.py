"""Family 1: nondeterminism and runtime misuse (CVX101-CVX112)."""
