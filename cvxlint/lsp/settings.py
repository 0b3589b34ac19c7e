"""Editor settings (the `cvxlint` section of `workspace/configuration`) on top of the project's
config file.

Editors send their own keys too (`path`, `trace.server` for the VS Code extension), so keys
that are not cvxlint settings are ignored rather than rejected. Keys may be kebab-case or
camelCase. List settings that add to a rule set (`extend-select`, `ignore`, ...) extend the
project's lists; every other key replaces the project's value.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

from ..config import _FIELDS, Settings, settings_from_mapping
from ..errors import ConfigError

ORIGIN = "editor settings (cvxlint)"
_EXTENDING = ("extend_select", "ignore", "extend_safe_fixes", "extend_unsafe_fixes", "unfixable", "exclude")


def _kebab(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", key).lower().replace("_", "-")


def normalize(raw: object) -> dict:
    """The cvxlint keys of an editor's settings object, kebab-cased (others dropped)."""
    if not isinstance(raw, dict):
        return {}
    if isinstance(raw.get("cvxlint"), dict):  # `{"cvxlint": {...}}` from initializationOptions
        raw = raw["cvxlint"]
    if isinstance(raw.get("settings"), dict) and len(raw) == 1:
        raw = raw["settings"]
    out = {}
    for k, v in raw.items():
        key = _kebab(str(k))
        if key in _FIELDS and v is not None:
            out[key] = v
    return out


def check(client: dict) -> None:
    """Raise ConfigError (with a one-line message) when the editor settings are invalid."""
    s = settings_from_mapping(client, ORIGIN)
    s.validate()


def merge(project: Settings, client: dict) -> Settings:
    """The project's settings with the editor's on top (both already validated)."""
    if not client:
        return project
    overlay = settings_from_mapping(client, ORIGIN)
    merged = copy.deepcopy(project)
    for key in client:
        name = _FIELDS[key].name
        value = getattr(overlay, name)
        if name in _EXTENDING:
            value = list(getattr(merged, name)) + list(value)
        elif name in ("severity", "rule_options", "per_file_ignores", "registrars"):
            value = {**getattr(merged, name), **value}
        setattr(merged, name, value)
    merged.validate()
    return merged


def project_settings(path: Path) -> Settings:
    """The settings `cvxlint check PATH` would use (config file found from the file upwards)."""
    from ..api import resolve_settings

    return resolve_settings([path])


__all__ = ["ConfigError", "check", "merge", "normalize", "project_settings"]
