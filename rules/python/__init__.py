"""Family 9: the Python client, `convex` on PyPI (CVXP01-CVXP11)."""
