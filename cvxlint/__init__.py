"""cvxlint: a linter and migration tool for Convex backends."""

__version__ = "0.1.0"
RULES_URL = "https://github.com/cvxlint/cvxlint/blob/main/docs/rules"
