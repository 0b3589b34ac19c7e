"""Run a rule's examples as tests: write the example app to disk, lint it, compare.

Used by tests/test_rule_examples.py for every registered rule; rule authors can call
`run_example` directly while developing a rule.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .api import check, fix
from .config import Settings
from .diagnostics import Diagnostic
from .engine.fixer import FixOutcome
from .engine.rule import Invalid, Rule, Valid


def write_example_app(example: Valid, root: Path) -> Path:
    """Lay the example out as a small Convex app under `root`; returns the focus file."""
    root.mkdir(parents=True, exist_ok=True)
    pkg = {"name": "example-app", "private": True}
    if example.convex is not None:
        pkg["dependencies"] = {"convex": example.convex}
    (root / "package.json").write_text(json.dumps(pkg), "utf-8")
    (root / "convex" / "_generated").mkdir(parents=True, exist_ok=True)
    files = {example.path: example.code, **example.files}
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, "utf-8")
    return root / example.path


def example_settings(rule: type[Rule], example: Valid) -> Settings:
    s = Settings(select=[rule.code])
    for k, v in example.settings.items():
        setattr(s, k.replace("-", "_"), v)
    if example.options:
        s.rule_options = {rule.code: dict(example.options)}
    s.validate()
    return s


@dataclass
class ExampleRun:
    focus: Path
    diagnostics: list[Diagnostic]  # the rule's diagnostics in the focus file
    all_diagnostics: list[Diagnostic]
    fixed: FixOutcome | None = None
    root: Path | None = None


def run_example(rule: type[Rule], example: Valid, root: Path, with_fixes: bool = False) -> ExampleRun:
    focus = write_example_app(example, root)
    settings = example_settings(rule, example)
    result = check([root], settings)
    mine = [d for d in result.diagnostics if d.code == rule.code and Path(d.path) == focus.resolve()]
    run = ExampleRun(focus.resolve(), mine, result.diagnostics, root=root.resolve())
    if with_fixes:
        run.fixed = fix([root], settings, unsafe=True)
    return run


def fixed_text(run: ExampleRun) -> str | None:
    """The focus file after fixes, or None when no fix changed it."""
    if run.fixed is None:
        return None
    new = run.fixed.sources.get(run.focus)
    return None if new is None else new.decode("utf-8")


def fixed_others(run: ExampleRun) -> dict[str, str]:
    """Files other than the focus file that fixes changed: path relative to the example app -> text."""
    if run.fixed is None or run.root is None:
        return {}
    return {p.resolve().relative_to(run.root).as_posix(): b.decode("utf-8")
            for p, b in run.fixed.changed.items() if p.resolve() != run.focus}


def describe(rule: type[Rule], example: Valid, index: int) -> str:
    kind = "invalid" if isinstance(example, Invalid) else "valid"
    return f"{rule.code}-{kind}-{index}"
