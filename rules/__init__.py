"""cvxlint's rules, one rule per file, grouped by family (installed as `cvxlint_rules`)."""
