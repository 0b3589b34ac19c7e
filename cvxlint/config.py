"""Settings: `cvxlint.yaml` / `.cvxlint.yaml`, or `[tool.cvxlint]` in pyproject.toml.

Keys are kebab-case. An unknown key, a value of the wrong type, or an unknown rule code is
an error (exit 2) whose message names it.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import Applicability, Severity
from .errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_FILES = ("cvxlint.yaml", ".cvxlint.yaml", "cvxlint.yml", ".cvxlint.yml")


@dataclass
class Settings:
    """Every setting, with its default. The README's configuration table is made from this."""

    select: list[str] | None = None  # replaces the default rule set
    extend_select: list[str] = field(default_factory=list)  # adds rules (e.g. opt-in ones)
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)  # glob -> codes
    exclude: list[str] = field(default_factory=list)  # gitignore-style patterns not to lint
    severity: dict[str, str] = field(default_factory=dict)  # code -> error|warning|info
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)  # code -> options
    registrars: dict[str, str] = field(default_factory=dict)  # wrapper name -> "query", "mutation:internal"
    auth_helpers: list[str] = field(default_factory=list)  # names or /regex/ of access-check helpers
    convex_version: str | None = None  # overrides the detected `convex` version
    max_file_size: int = 2_000_000  # bytes; larger files get CVX902
    unsafe_fixes: bool = False
    extend_safe_fixes: list[str] = field(default_factory=list)
    extend_unsafe_fixes: list[str] = field(default_factory=list)
    unfixable: list[str] = field(default_factory=list)
    output_format: str | None = None
    fail_on: str = "info"  # the least severe finding that makes `check` exit 1: info|warning|error
    cache: bool = True
    migrate_answers: list[str] = field(default_factory=list)  # `cvxlint migrate plan` answers, as --answer takes them

    # not settable from files
    config_path: Path | None = None

    # -- derived --------------------------------------------------------------------------
    def enabled_codes(self) -> set[str]:
        from .engine.registry import expand_selector, load_rules

        rules = load_rules()
        if self.select is None:
            codes = {c for c, r in rules.items() if r.default_enabled}
        else:
            codes = set()
            for s in self.select:
                codes |= expand_selector(s, " in select")
        for s in self.extend_select:
            codes |= expand_selector(s, " in extend-select")
        for s in self.ignore:
            codes -= expand_selector(s, " in ignore")
        return codes

    def fails(self, diags) -> bool:
        """Do these findings make a check fail (`fail-on`: info counts every finding)?"""
        worst = Severity.parse(self.fail_on).rank
        return any(d.severity.rank <= worst for d in diags)

    def severity_for(self, code: str, default: Severity) -> Severity:
        s = self.severity.get(code)
        return Severity.parse(s) if s else default

    def applicability_for(self, code: str, default: Applicability) -> Applicability | None:
        """The tier a rule's fix is treated as after `extend-*-fixes` / `unfixable` (None: not fixable)."""
        from .engine.registry import expand_selector

        def has(selectors: list[str]) -> bool:
            return any(code in expand_selector(s) for s in selectors)

        if has(self.unfixable):
            return None
        if default is Applicability.DISPLAY_ONLY:
            return default
        if has(self.extend_unsafe_fixes):
            return Applicability.UNSAFE
        if has(self.extend_safe_fixes):
            return Applicability.SAFE
        return default

    def options_for(self, rule) -> dict[str, Any]:
        opts = dict(rule.options)
        opts.update(self.rule_options.get(rule.code, {}))
        return opts

    def validate(self) -> None:
        """Check rule codes and options against the registry."""
        from .engine.registry import expand_selector, rule_for

        where = f" in {self.config_path}" if self.config_path else ""
        for key in ("extend_select", "ignore", "extend_safe_fixes", "extend_unsafe_fixes", "unfixable"):
            for s in getattr(self, key):
                expand_selector(s, f" ({_kebab(key)}){where}")
        for s in self.select or []:
            expand_selector(s, f" (select){where}")
        for glob, codes in self.per_file_ignores.items():
            for s in codes:
                expand_selector(s, f" (per-file-ignores {glob!r}){where}")
        try:
            Severity.parse(self.fail_on)
        except (ValueError, AttributeError):
            raise ConfigError(f"bad fail-on {self.fail_on!r} (use error, warning or info){where}") from None
        from .output import FORMATS

        # Checked here, not when printing: by then `fix` has written its files.
        if self.output_format is not None and self.output_format not in FORMATS:
            raise ConfigError(f"bad output-format {self.output_format!r} (use {', '.join(FORMATS)}){where}")
        if self.max_file_size < 0:
            raise ConfigError(f"bad max-file-size {self.max_file_size} (a number of bytes, 0 or more){where}")
        if self.convex_version:
            from .project.versions import Version

            if Version.parse(self.convex_version) is None:  # else silently ignored: detection ran instead
                raise ConfigError(f"bad convex-version {self.convex_version!r} (use a version such as 1.31.0){where}")
        for code, sev in self.severity.items():
            if rule_for(code) is None:
                raise ConfigError(f"unknown rule code {code!r} (severity){where}")
            try:
                if not isinstance(sev, str):  # `{CVX103: 5}`, `[error]`, null: not a level
                    raise ValueError(sev)
                Severity.parse(sev)
            except ValueError:
                raise ConfigError(f"bad severity {sev!r} for {code} (use error, warning or info){where}") from None
        new_opts = {}
        for code, opts in self.rule_options.items():
            rule = rule_for(code)
            if rule is None:
                raise ConfigError(f"unknown rule code {code!r} (rule-options){where}")
            if not isinstance(opts, dict):
                raise ConfigError(f"rule-options for {code} must be a mapping{where}")
            for k, value in opts.items():
                if k not in rule.options:
                    known = ", ".join(sorted(rule.options)) or "none"
                    raise ConfigError(f"unknown option {k!r} for {rule.code} (known: {known}){where}")
                problem = _option_type_problem(value, rule.options[k]) or rule.option_problem(k, value)
                if problem:
                    raise ConfigError(f"rule-options for {rule.code}: {k} {problem}{where}")
            new_opts[rule.code] = opts
        self.rule_options = new_opts
        for helper in self.auth_helpers:
            if helper.startswith("/") and helper.endswith("/") and len(helper) > 1:
                try:
                    re.compile(helper[1:-1])
                except re.error as e:
                    # compiled again by every access rule: fail once here, not as one crash per rule
                    raise ConfigError(f"bad regular expression {helper!r} in auth-helpers ({e.msg}){where}") from None
        from .project.model import _parse_registrar

        for name, spec in self.registrars.items():
            kind, vis = _parse_registrar(str(spec))
            if kind not in ("query", "mutation", "action", "httpAction") or vis not in ("public", "internal"):
                raise ConfigError(
                    f"bad registrar {name}: {spec!r} (use query, mutation, action, or e.g. mutation:internal){where}"
                )


def _kind(v: Any) -> str:
    """A config value's type as a message names it (YAML's null, not NoneType)."""
    return "null" if v is None else type(v).__name__


def _list_problem(value: list) -> str:
    """Which item of a list that should hold strings does not (`[5]`: the list is fine)."""
    n, item = next((i, x) for i, x in enumerate(value, 1) if not isinstance(x, str))
    return f"item {n} is null" if item is None else f"item {n} is {_kind(item)} ({item!r})"


def _option_type_problem(value: Any, default: Any) -> str | None:
    """What is wrong with a rule option's value, judged by the type of its default (a rule
    reads its options as that type: a number where it iterates a list crashed the rule)."""
    if isinstance(default, bool):
        return None if isinstance(value, bool) else f"must be true or false, not {_kind(value)}"
    if isinstance(default, (int, float)):
        ok = isinstance(value, (int, float) if isinstance(default, float) else int) and not isinstance(value, bool)
        return None if ok else f"must be a number, not {_kind(value)}"
    if isinstance(default, str):
        return None if isinstance(value, str) else f"must be a string, not {_kind(value)}"
    if isinstance(default, list):
        if not isinstance(value, list):
            return f"must be a list of strings, not {_kind(value)}"
        if not all(isinstance(item, str) for item in value):
            return f"must be a list of strings; {_list_problem(value)}"
    return None


def _kebab(name: str) -> str:
    return name.replace("_", "-")


_FIELDS = {_kebab(f.name): f for f in fields(Settings) if f.name != "config_path"}
_ALIASES = {"options": "rule-options"}


def settings_from_mapping(data: Any, origin: str) -> Settings:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}: the configuration must be a mapping of keys to values")
    s = Settings()
    for raw_key, value in data.items():
        key = _ALIASES.get(str(raw_key), str(raw_key)).replace("_", "-")
        f = _FIELDS.get(key)
        if f is None:
            known = ", ".join(sorted(_FIELDS))
            raise ConfigError(f"{origin}: unknown key {raw_key!r} (known keys: {known})")
        setattr(s, f.name, _coerce(key, value, f, origin))
    return s


def _coerce(key: str, value: Any, f, origin: str):
    t = str(f.type)
    def bad(expected: str):
        return ConfigError(f"{origin}: {key!r} must be {expected}, not {_kind(value)}")
    if t.startswith("list[str]"):
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list):
            raise bad("a list of strings")
        if not all(isinstance(x, str) for x in value):
            raise ConfigError(f"{origin}: {key!r} must be a list of strings; {_list_problem(value)}")
        return list(value)
    if t.startswith("dict[str, list[str]]"):
        if not isinstance(value, dict):
            raise bad("a mapping")
        out = {}
        for k, v in value.items():
            if isinstance(v, str):
                v = [v]
            if not isinstance(v, list):
                raise ConfigError(f"{origin}: {key!r} values must be lists of rule codes; {k!r} is {_kind(v)}")
            if not all(isinstance(x, str) for x in v):
                raise ConfigError(f"{origin}: {key!r} values must be lists of rule codes; {k!r}: {_list_problem(v)}")
            out[str(k)] = list(v)
        return out
    if t.startswith("dict"):
        if not isinstance(value, dict):
            raise bad("a mapping")
        return {str(k): v for k, v in value.items()}
    if t == "bool":
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if t == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            raise bad("an integer")
        return value
    if value is not None and not isinstance(value, (str, int, float)):
        raise bad("a string")
    return None if value is None else str(value)


def find_config(start: Path) -> Path | None:
    """The first config file found from `start` upwards (stopping at a repository root)."""
    start = start if start.is_dir() else start.parent
    for d in [start, *start.parents]:
        for name in CONFIG_FILES:
            p = d / name
            if p.is_file():
                return p
        pp = d / "pyproject.toml"
        if pp.is_file():
            try:
                text = pp.read_text("utf-8")
            except (OSError, ValueError):
                text = ""
            try:
                data = tomllib.loads(text)
            except ValueError:
                # broken TOML that holds our section: load_settings says what is wrong (exit 2),
                # rather than the run going on with the defaults (triage G34)
                if re.search(r"^\s*\[\s*tool\s*\.\s*cvxlint\s*[\].]", text, re.M):
                    return pp
                data = {}
            if isinstance(data.get("tool"), dict) and "cvxlint" in data["tool"]:
                return pp
        if (d / ".git").exists():
            break
    return None


def load_settings(path: Path | None) -> Settings:
    if path is None:
        return Settings()
    origin = str(path)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read config {origin}: {e}") from None
    if path.name == "pyproject.toml":
        try:
            data = tomllib.loads(text).get("tool", {}).get("cvxlint", {})
        except ValueError as e:
            raise ConfigError(f"{origin}: invalid TOML: {e}") from None
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            where = f" (line {mark.line + 1})" if mark is not None else ""
            raise ConfigError(f"{origin}: invalid YAML{where}") from None
    s = settings_from_mapping(data, origin)
    s.config_path = path
    return s
