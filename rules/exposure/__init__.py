"""Family 3: public vs internal exposure, and calls of functions (CVX301-CVX310)."""
