"""Load every rule and answer selection questions (codes, prefixes, names)."""

from __future__ import annotations

import importlib
import pkgutil

from ..errors import ConfigError
from .rule import Rule, registered_rules

_loaded = False


def load_rules() -> dict[str, type[Rule]]:
    """Import every module of the `cvxlint_rules` package (the top-level `rules/` folder)."""
    global _loaded
    if not _loaded:
        import cvxlint_rules

        for mod in pkgutil.walk_packages(cvxlint_rules.__path__, "cvxlint_rules."):
            importlib.import_module(mod.name)
        _loaded = True
    return dict(sorted(registered_rules().items()))


def all_rules() -> list[type[Rule]]:
    return list(load_rules().values())


def by_name() -> dict[str, type[Rule]]:
    return {r.name: r for r in all_rules()}


def rule_for(code_or_name: str) -> type[Rule] | None:
    rules = load_rules()
    key = code_or_name.strip()
    if key.upper() in rules:
        return rules[key.upper()]
    return by_name().get(key)


def plugin_rule_codes() -> dict[str, tuple[str, ...]]:
    """@convex-dev/eslint-plugin rule -> the cvxlint codes that cover it (each rule's
    `plugin_rules`), so existing `eslint-disable` comments are honoured."""
    out: dict[str, tuple[str, ...]] = {}
    for code, rule in load_rules().items():
        for name in rule.plugin_rules:
            out[name] = out.get(name, ()) + (code,)
    return out


def expand_selector(selector: str, where: str = "") -> set[str]:
    """A code ("CVX101"), a prefix ("CVX1", "CVXP", "CVX", "ALL") or a rule name -> codes."""
    rules = load_rules()
    s = selector.strip()
    if not s:
        raise ConfigError(f"empty rule selector{where}")
    if s.upper() == "ALL":
        return set(rules)
    up = s.upper()
    if up in rules:
        return {up}
    named = by_name().get(s)
    if named is not None:
        return {named.code}
    if up.startswith("CVX"):
        matches = {c for c in rules if c.startswith(up)}
        if matches:
            return matches
    raise ConfigError(f"unknown rule code or name {selector!r}{where}")
