"""Package list for setuptools (metadata is in pyproject.toml).

The rules live in the top-level `rules/` folder, one file per rule, and install as the
`cvxlint_rules` package; everything else is the `cvxlint` package.
"""

from setuptools import find_packages, setup

rule_packages = ["cvxlint_rules"] + ["cvxlint_rules." + p for p in find_packages("rules")]
setup(
    packages=find_packages(include=["cvxlint", "cvxlint.*"]) + rule_packages,
    package_dir={"cvxlint_rules": "rules"},
)
