"""Family 3: public vs internal exposure (CVX301-CVX308)."""
