"""The rule engine: rules, registry, runner, suppressions, fixer, positions."""
