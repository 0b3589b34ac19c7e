"""cvxlint's own diagnostics (CVX9xx): files it could not read or parse."""
